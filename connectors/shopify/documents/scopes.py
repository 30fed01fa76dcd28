"""The GraphQL document that reads the access scopes granted to the app (``scopes``)."""

from __future__ import annotations

__all__ = ["ACCESS_SCOPES"]

ACCESS_SCOPES = """
query CasebridgeAccessScopes {
  currentAppInstallation { accessScopes { handle } }
}
"""
