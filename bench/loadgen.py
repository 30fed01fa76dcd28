"""A webhook load generator, run as its own process: ``python -m bench.loadgen URL ...``.

Every request is a distinct, validly signed Shopify ``orders/create`` delivery
(unique order id, webhook id and event id), signed before the timed phase so
signing costs the generator nothing while it measures.

* ``--rate R``: open loop. Request ``i`` is due at ``start + i / R``; its
  latency is measured from when it was *due*, so a server (or generator) that
  falls behind shows up as latency instead of silently lowering the rate.
* ``--rate 0``: closed loop (saturation): ``--connections`` senders, each
  sending its next request as soon as the previous one was answered.

Prints one JSON object: requests, accepted (HTTP 200), statuses, accepted/s,
p50/p90/p99/max latency in ms, and how far behind schedule the generator got.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bench.common import percentile
from connectors.shopify.webhooks import sign

SHOP = "casebridge-demo.myshopify.com"
#: The open-loop scheduler wakes up this often and launches every request due by then.
TICK_MS = 2.0


def order_body(order_id: int) -> bytes:
    """A realistic ~1 KiB ``orders/create`` payload."""
    payload = {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#B{order_id % 100000}",
        "email": f"buyer{order_id % 997}@example.com",
        "currency": "USD",
        "total_price": "42.00",
        "subtotal_price": "42.00",
        "financial_status": "paid",
        "fulfillment_status": None,
        "tags": "",
        "note": None,
        "source_name": "web",
        "line_items": [
            {
                "id": order_id * 10 + 1,
                "variant_id": 11,
                "sku": "MUG",
                "title": "Casebridge mug",
                "quantity": 1,
                "price": "42.00",
                "fulfillable_quantity": 1,
            }
        ],
        "shipping_address": {
            "first_name": "Ada",
            "last_name": "Byron",
            "address1": "1 Main St",
            "city": "New York",
            "country_code": "US",
            "province_code": "NY",
            "zip": "10001",
        },
        "customer": {"id": 77, "email": "buyer@example.com", "tags": "", "orders_count": 3},
        "created_at": datetime.now(UTC).isoformat(),
        "updated_at": datetime.now(UTC).isoformat(),
    }
    return json.dumps(payload).encode()


def signed_requests(count: int, secret: str, first_id: int) -> list[tuple[bytes, dict[str, str]]]:
    """``count`` distinct signed deliveries (body, headers)."""
    out = []
    now = datetime.now(UTC).isoformat()
    for i in range(count):
        body = order_body(first_id + i)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": sign(body, secret),
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-API-Version": "2026-01",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": now,
        }
        out.append((body, headers))
    return out


class Recorder:
    """Latencies and statuses of the timed phase."""

    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.last_done = 0.0
        self.slow: Counter[int] = Counter()
        self.start = 0.0

    async def send(
        self,
        session: aiohttp.ClientSession,
        url: str,
        request: tuple[bytes, dict[str, str]],
        due: float,
    ) -> None:
        """POST one delivery; record its latency from ``due``."""
        body, headers = request
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                status = str(response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = type(exc).__name__
        done = time.perf_counter()
        self.last_done = max(self.last_done, done)
        self.statuses[status] += 1
        if status == "200":
            self.latencies_ms.append((done - due) * 1000)
            if done - due > 0.05:
                self.slow[int(due - self.start)] += 1


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The timed phase; returns the summary."""
    count = int(args.rate * args.duration) if args.rate > 0 else args.pool
    pool = signed_requests(count, args.secret, args.first_id)
    recorder = Recorder()
    connector = aiohttp.TCPConnector(limit=args.connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    behind_ms = 0.0
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # Warm the connection pool so connection set-up is not in the figures.
        await asyncio.gather(
            *(
                session.get(args.url.rsplit("/", 2)[0] + "/")
                for _ in range(min(8, args.connections))
            )
        )
        start = recorder.start = time.perf_counter()
        if args.rate > 0:
            # Launch whatever is due every tick (one sleep per tick, not per request).
            tasks = []
            interval = 1.0 / args.rate
            sent = 0
            while sent < len(pool):
                now = time.perf_counter()
                due_count = min(len(pool), int((now - start) / interval) + 1)
                if sent < due_count:
                    behind_ms = max(behind_ms, (now - (start + sent * interval)) * 1000 - TICK_MS)
                for i in range(sent, due_count):
                    due = start + i * interval
                    tasks.append(
                        asyncio.create_task(recorder.send(session, args.url, pool[i], due))
                    )
                sent = max(sent, due_count)
                await asyncio.sleep(TICK_MS / 1000)
            await asyncio.gather(*tasks)
        else:
            stop = start + args.duration
            iterator = iter(pool)

            async def sender() -> None:
                for request in iterator:
                    if time.perf_counter() >= stop:
                        return
                    await recorder.send(session, args.url, request, time.perf_counter())

            await asyncio.gather(*(sender() for _ in range(args.connections)))
        elapsed = max(recorder.last_done, start) - start
    accepted = recorder.statuses.get("200", 0)
    lat = recorder.latencies_ms
    return {
        "offered_rate": args.rate,
        "duration_s": round(elapsed, 3),
        "requests": sum(recorder.statuses.values()),
        "accepted": accepted,
        "statuses": dict(recorder.statuses),
        "accepted_per_s": round(accepted / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(lat, 50), 2),
        "p90_ms": round(percentile(lat, 90), 2),
        "p99_ms": round(percentile(lat, 99), 2),
        "max_ms": round(max(lat), 2) if lat else float("nan"),
        "generator_behind_ms": round(max(0.0, behind_ms), 1),
        "over_50ms_by_second": dict(sorted(recorder.slow.items())),
    }


def main() -> None:
    """Parse arguments, run, print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, default=1000.0, help="requests/s; 0 = saturation")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pool", type=int, default=60000, help="bodies for saturation mode")
    parser.add_argument("--secret", default="emulator-webhook-secret")
    parser.add_argument("--first-id", type=int, default=int(time.time() * 1000) % 10**12)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
