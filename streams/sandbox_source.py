"""What ``casebridge up`` (:mod:`deploy.local.sandbox`) takes from the application.

The sandbox lives beside the local stack and imports nothing of ``streams``;
here the application's settings become its plain :class:`SandboxConfig`: the
stores it runs (the settings' registry file, else the bundled US + EU one) as
the Shopify emulator's ``shops``, the Kafka client configuration, the OpenText
credentials of its offline intakes, and the two broker operations only the
application knows how to do (count what is already there; start its consumer
group at the end of its source topics).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deploy.local.sandbox import OpenTextAccess, SandboxConfig
from streams.settings import Settings
from streams.shops.emulated import bundled_registry_path, emulator_shops


def existing_data(client_config: Mapping[str, Any]) -> str:
    """What a broker already holds that the sandbox's page would show: cases and dead letters."""
    from streams.topics import CASES_STATE
    from streams.web.dlqstats import PIPELINE_DLQS, DlqCounter

    rows = DlqCounter(dict(client_config), known=(CASES_STATE, *PIPELINE_DLQS)).counts()
    states = next((r["records"] or 0 for r in rows if r["topic"] == CASES_STATE), 0)
    dead = {r["topic"]: r["records"] for r in rows if r["topic"] != CASES_STATE and r["records"]}
    dlqs = ", ".join(f"{t} {n}" for t, n in sorted(dead.items())) or "none"
    return f"{states} case state records in {CASES_STATE}; dead letters: {dlqs}"


def _start_group_at_end(client_config: Mapping[str, Any], group: str) -> bool:
    from streams.kafka.groups import start_group_at_end

    return start_group_at_end(client_config, group)


def sandbox_config(settings: Settings) -> SandboxConfig:
    """The sandbox's configuration from ``settings``."""
    from streams.services import Services

    shops_file = settings.shops_file or bundled_registry_path()
    shops = Services(settings.model_copy(update={"shops_file": shops_file})).shops
    opentext = settings.opentext
    return SandboxConfig(
        stack=settings.stack,
        kafka=settings.kafka.confluent_config(),
        registry_url=settings.registry.url,
        external_kafka="bootstrap_servers" in settings.kafka.model_fields_set,
        default_partitions=settings.kafka.default_partitions,
        app_id=settings.app_id,
        ingress_path=settings.ingress.path,
        shops_file=shops_file,
        emulated_shops=emulator_shops(shops),
        opentext=OpenTextAccess(
            tenant_id=opentext.tenant_id,
            client_id=opentext.client_id,
            client_secret=opentext.client_secret.get_secret_value(),
            offline_order_model=opentext.models["OFFLINE_ORDER"],
        ),
        existing_data=existing_data,
        start_group_at_end=_start_group_at_end,
    )
