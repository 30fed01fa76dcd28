"""Errors of the policy package.

::

    CasebridgeError
    └── ConfigurationError
        └── PolicyError      the policy file is unreadable, not YAML/TOML, or fails validation

A :class:`PolicyError` message is always one line that starts with the file
name and, for a validation failure, names the bad key path, e.g.
``policy.yaml: complaints.routing[2].severity: Input should be 'LOW', ...``,
so the CLI can print it as is.
"""

from __future__ import annotations

from connectors.errors import ConfigurationError


class PolicyError(ConfigurationError):
    """The policy file cannot be read or does not describe a valid policy."""
