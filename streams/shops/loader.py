"""Reading the shop registry file (YAML) into a :class:`ShopRegistry`.

The file::

    shops:
      - domain: us-store.myshopify.com
        access_token_file: /run/secrets/us-store-token   # or access_token: shpat_...
        api_version: 2026-04                              # optional: the deployment's
        webhook_secrets_file: /run/secrets/us-store-webhook  # optional, one per line
        currency: USD
        policy:                                           # merged over the base policy
          orders: {review: {value: {absolute_threshold: "5000"}}}
        opentext:
          models: {ORDER_REVIEW: us.order_review}         # merged over the deployment's

Every failure raises :class:`ShopRegistryError` with one line naming the
file, the shop and the key, e.g.::

    shops.yaml: shops[1] (eu-store.myshopify.com): policy.orders.review.value: ...

Relative ``*_file`` paths are resolved against the registry file's directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from streams.policy import PolicyError
from streams.policy.loader import _parse_yaml, format_validation_error
from streams.policy.model import Policy
from streams.shops.errors import ShopRegistryError
from streams.shops.model import Shop, ShopEntry, ShopRegistry, normalise_domain
from streams.shops.overlay import overlay_policy


@dataclass(frozen=True)
class RegistryDefaults:
    """What a shop entry inherits from the deployment when it does not say."""

    api_version: str
    base_policy: Policy
    base_url: str | None = None
    models: Mapping[str, str] = field(default_factory=dict)


def load_registry(path: str | Path, defaults: RegistryDefaults) -> ShopRegistry:
    """Read and validate the registry file at ``path``; :class:`ShopRegistryError` on bad input."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ShopRegistryError(
            f"{path.name}: cannot read shop registry {str(path)!r}: {exc}"
        ) from None
    return parse_registry(text, defaults, name=path.name, base_dir=path.parent)


def parse_registry(
    text: str,
    defaults: RegistryDefaults,
    *,
    name: str = "shops.yaml",
    base_dir: Path | None = None,
) -> ShopRegistry:
    """Validate registry ``text``; ``name`` prefixes every error."""
    try:
        # The policy loader's strict YAML (duplicate keys refused) and error format.
        data = _parse_yaml(text, name)
    except PolicyError as exc:
        raise ShopRegistryError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("shops"), list):
        raise ShopRegistryError(f"{name}: expected a top-level 'shops:' list of shop entries")
    unknown = sorted(set(data) - {"shops"})
    if unknown:
        raise ShopRegistryError(f"{name}: unknown top-level key {unknown[0]!r} (expected 'shops')")
    if not data["shops"]:
        raise ShopRegistryError(f"{name}: 'shops' is empty; a deployment serves at least one shop")
    shops: dict[str, Shop] = {}
    for index, raw in enumerate(data["shops"]):
        where = f"{name}: shops[{index}]"
        if isinstance(raw, dict) and isinstance(raw.get("domain"), str):
            where += f" ({raw['domain']})"
        shop = _resolve(raw, defaults, where, base_dir or Path.cwd())
        if shop.domain in shops:
            raise ShopRegistryError(f"{where}: domain: {shop.domain} is listed twice")
        shops[shop.domain] = shop
    return ShopRegistry(shops, source=name)


def _resolve(raw: Any, defaults: RegistryDefaults, where: str, base_dir: Path) -> Shop:
    if not isinstance(raw, dict):
        raise ShopRegistryError(f"{where}: expected a mapping with at least 'domain'")
    try:
        entry = ShopEntry.model_validate(raw)
    except ValidationError as exc:
        raise ShopRegistryError(f"{where}: {format_validation_error(exc)}") from None
    if "decisions" in entry.policy:
        # Decisions are built (and replayed) before a shop is known from the record alone.
        raise ShopRegistryError(
            f"{where}: policy.decisions: the outcome mapping is the deployment's policy file's,"
            " not a shop's"
        )
    token = _token(entry, where, base_dir)
    secrets = list(entry.webhook_secrets)
    if entry.webhook_secrets_file is not None:
        lines = _read(entry.webhook_secrets_file, "webhook_secrets_file", where, base_dir)
        secrets += [SecretStr(line.strip()) for line in lines.splitlines() if line.strip()]
    try:
        policy = overlay_policy(defaults.base_policy, entry.policy)
    except ValidationError as exc:
        raise ShopRegistryError(f"{where}: policy.{format_validation_error(exc)}") from None
    return Shop(
        domain=entry.domain,
        access_token=token,
        api_version=entry.api_version or defaults.api_version,
        policy=policy,
        base_url=entry.base_url or defaults.base_url,
        webhook_secrets=tuple(secrets),
        currency=entry.currency,
        models={**defaults.models, **entry.opentext.models},
    )


def _token(entry: ShopEntry, where: str, base_dir: Path) -> SecretStr:
    if entry.access_token is not None and entry.access_token_file is not None:
        raise ShopRegistryError(f"{where}: access_token: give access_token or access_token_file")
    if entry.access_token_file is not None:
        token = _read(entry.access_token_file, "access_token_file", where, base_dir).strip()
    elif entry.access_token is not None:
        token = entry.access_token.get_secret_value().strip()
    else:
        raise ShopRegistryError(f"{where}: access_token: missing (or access_token_file)")
    if not token:
        raise ShopRegistryError(f"{where}: access_token: empty")
    return SecretStr(token)


def _read(path: Path, key: str, where: str, base_dir: Path) -> str:
    full = path if path.is_absolute() else base_dir / path
    try:
        return full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ShopRegistryError(f"{where}: {key}: cannot read {str(full)!r}: {reason}") from None


def single_shop_registry(
    *,
    domain: str,
    access_token: SecretStr,
    webhook_secrets: tuple[SecretStr, ...],
    defaults: RegistryDefaults,
) -> ShopRegistry:
    """The registry of one shop from the ``CASEBRIDGE_SHOPIFY__*`` settings (no registry file).

    Its webhook secrets are the app's (``CASEBRIDGE_INGRESS__WEBHOOK_SECRETS``),
    as before there was a registry.
    """
    shop = Shop(
        domain=normalise_domain(domain),
        access_token=access_token,
        api_version=defaults.api_version,
        policy=defaults.base_policy,
        base_url=defaults.base_url,
        webhook_secrets=webhook_secrets,
        models=dict(defaults.models),
    )
    return ShopRegistry({shop.domain: shop}, source="settings")
