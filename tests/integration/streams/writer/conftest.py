"""An in-process Shopify emulator on 127.0.0.1 and helpers to seed it and build decisions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from connectors.retry import RetryPolicy
from connectors.shopify import ShopifyAdminClient, ShopifyClientConfig
from schemas.records import CaseDecision, CaseType, CaseVariable, VariableType
from streams.decisions.mapping import OutcomeMapper
from streams.writer import ActionExecutor, OfflineOrderCreator, WriterConfig
from tests.conftest import free_port

emulator = pytest.importorskip("emulators.shopify")

SHOP = "casebridge-demo.myshopify.com"
TOKEN = "shpat_emulator_token"


@dataclass
class Store:
    """A running emulator with a client, an admin HTTP client and the writer on top."""

    client: ShopifyAdminClient
    admin: httpx.AsyncClient
    executor: ActionExecutor
    creator: OfflineOrderCreator

    async def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.admin.post("/_emulator/seed", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def gql(self, document: str, **variables: Any) -> dict[str, Any]:
        return await self.client.execute(document, variables)

    async def product_variants(self, title: str, *variants: tuple[str, str]) -> list[str]:
        """Seed a product with (sku, price) variants; returns the variant gids."""
        seeded = await self.seed(
            {
                "products": [
                    {
                        "title": title,
                        "variants": [
                            {"title": sku, "sku": sku, "price": price, "inventory_quantity": 100}
                            for sku, price in variants
                        ],
                    }
                ]
            }
        )
        data = await self.gql(
            "query V($id: ID!) { product(id: $id) { variants(first: 10) { nodes { id } } } }",
            id=seeded["products"][0],
        )
        return [node["id"] for node in data["product"]["variants"]["nodes"]]

    async def order(self, lines: list[tuple[str, int, str]], **extra: Any) -> str:
        """Seed a paid order of (variant gid, quantity, price) lines; returns its gid."""
        body = {
            "email": "ada@example.com",
            "customer": {"email": "ada@example.com", "first_name": "Ada"},
            "financial_status": "paid",
            "line_items": [
                {"variant_id": variant, "quantity": qty, "price": price, "title": "Item"}
                for variant, qty, price in lines
            ],
            **extra,
        }
        seeded = await self.seed({"orders": [body]})
        return str(seeded["orders"][0])

    async def scenario(self, kind: str) -> str:
        """Run one emulator scenario step; returns the order gid it made."""
        seeded = await self.seed({"scenario": {"n": 1, "kinds": [kind], "seed": 3}})
        return str(seeded["scenario"][0]["order_id"])


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    config = emulator.EmulatorConfig(shops=[emulator.ShopConfig()])
    server = TestServer(emulator.create_app(config), host="127.0.0.1", port=free_port())
    await server.start_server()
    base = f"http://127.0.0.1:{server.port}"
    client = ShopifyAdminClient(
        ShopifyClientConfig(
            shop_domain=SHOP,
            access_token=SecretStr(TOKEN),
            api_version="2026-04",
            base_url=base,
            timeout_s=10,
            retry=RetryPolicy(initial_interval_s=0.05, maximum_attempts=4),
        )
    )
    admin = httpx.AsyncClient(base_url=base, timeout=10)
    # The writer's default refund mode ("suggested"): it reads Order.suggestedRefund
    # and sends those transactions, as against a real store.
    writer_config = WriterConfig(job_poll_interval_s=0.05, job_timeout_s=5)
    yield Store(
        client=client,
        admin=admin,
        executor=ActionExecutor(client, config=writer_config),
        creator=OfflineOrderCreator(client, config=writer_config),
    )
    await admin.aclose()
    await client.aclose()
    await server.close()


def decide(
    case_type: CaseType,
    outcome: str,
    *,
    case_id: str = "case-1",
    team: str = "ops",
    **variables: Any,
) -> CaseDecision:
    """A decision with its actions mapped exactly as the decision source maps them."""
    case_vars = [
        CaseVariable(name=name, type=VariableType.JSON, value=json.dumps(value))
        if isinstance(value, list | dict)
        else CaseVariable(name=name, value=str(value))
        for name, value in variables.items()
    ]
    decision_id = f"{case_id}:task-1"
    actions = OutcomeMapper().actions(
        decision_id=decision_id,
        case_id=case_id,
        case_type=case_type,
        outcome=outcome,
        team=team,
        variables=case_vars,
    )
    return CaseDecision(
        decision_id=decision_id,
        case_id=case_id,
        case_type=case_type,
        shop=SHOP,
        process_instance_id="pi-1",
        outcome=outcome,
        team=team,
        decided_at=datetime.now(UTC),
        variables=case_vars,
        actions=actions,
    )
