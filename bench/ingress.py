"""Benchmark (a): the webhook ingress. ``python -m bench.ingress [--duration 15]``.

A worker runs only the ``ingress`` role (signed webhooks -> ``shopify.webhooks``
with ``acks=all``); a separate load-generator process (:mod:`bench.loadgen`)
sends distinct, validly signed deliveries at fixed offered rates and then at
saturation. Baseline in the same run: :mod:`bench.hello`, an aiohttp endpoint
that reads the body and answers JSON (no HMAC, no Kafka), driven the same way.

Targets: >= 1,500 accepted webhooks/s per process at saturation, and p99 < 50 ms
at an offered 1,000/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    add_broker_arguments,
    cpu_seconds,
    describe_machine,
    free_port,
    kafka_broker,
    load_average,
    profiled,
    publish,
    python,
    table,
)
from connectors.shopify.webhooks import sign
from tests.integration.pipeline.harness import (
    ROOT,
    SHOPIFY_SECRET,
    Process,
    start_process,
    wait_until,
    worker_env,
)


def loadgen(url: str, rate: float, duration: float, connections: int) -> dict[str, Any]:
    """Run the generator process once and return its summary."""
    args = [python(), "-m", "bench.loadgen", url, "--rate", str(rate)]
    args += ["--duration", str(duration), "--connections", str(connections)]
    done = subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=duration * 4 + 120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {url} rate={rate or 'saturation'}: {result}", flush=True)
    return result


def probe_delivery(url: str) -> bool:
    """One signed delivery; True when the ingress accepted it."""
    body = json.dumps({"id": 1, "admin_graphql_api_id": "gid://shopify/Order/1"}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": sign(body, SHOPIFY_SECRET),
        "X-Shopify-Shop-Domain": "casebridge-demo.myshopify.com",
        "X-Shopify-API-Version": "2026-01",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }
    return httpx.post(url, content=body, headers=headers, timeout=5).status_code == 200


def row(name: str, result: dict[str, Any]) -> list[object]:
    """One table row of a generator summary."""
    offered = result["offered_rate"] or "saturation"
    bad = {k: v for k, v in result["statuses"].items() if k != "200"}
    return [
        name,
        offered,
        result["accepted_per_s"],
        result["p50_ms"],
        result["p99_ms"],
        result["max_ms"],
        ", ".join(f"{k}: {v}" for k, v in bad.items()) or "-",
        result["generator_behind_ms"],
        result.get("worker_cpu_ms_per_request", "-"),
    ]


def main() -> None:
    """Run the ingress benchmark and write its section of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per rate")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rates", default="500,1000,2000,0", help="offered rates per s; 0 = saturation"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy the worker into this dir"
    )
    add_broker_arguments(parser)
    args = parser.parse_args()
    machine = describe_machine()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingress-"))
    processes: list[Process] = []
    results: list[tuple[str, dict[str, Any]]] = []
    try:
        with kafka_broker(tmp, args.bootstrap) as bootstrap:
            # Baseline: aiohttp alone.
            hello_port = free_port()
            hello = start_process(
                "hello", [python(), "-m", "bench.hello", "--port", str(hello_port)], {}, tmp
            )
            processes.append(hello)
            hello_url = f"http://127.0.0.1:{hello_port}/webhooks/shopify"
            wait_until(lambda: httpx.post(hello_url, content=b"{}").status_code == 200, 30, "hello")
            print("baseline: aiohttp hello endpoint", flush=True)
            for rate in (1000, 0):
                results.append(("aiohttp baseline", loadgen(hello_url, rate, args.duration, 64)))
            hello.stop()

            # The ingress worker.
            port = free_port()
            env = worker_env(
                app_id=f"bench-ingress-{uuid.uuid4().hex[:8]}",
                web_port=port,
                bootstrap_servers=bootstrap,
                registry_url=args.registry,
                data_dir=tmp / "worker",
            )
            worker = start_process(
                "ingress-worker",
                [python(), "-m", "streams.cli", "worker", "--roles", "ingress"],
                env,
                tmp,
            )
            processes.append(worker)
            url = f"http://127.0.0.1:{port}/webhooks/shopify"

            def ready() -> bool:
                if not worker.alive():
                    raise RuntimeError(f"ingress worker exited:\n{worker.log_tail()}")
                return probe_delivery(url)

            wait_until(ready, 120, "the ingress worker to accept a delivery", 0.5)
            print("ingress worker ready; warming up", flush=True)
            loadgen(url, 200, 3, args.connections)
            for offered in [float(r) for r in args.rates.split(",")]:
                out = None
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    out = args.profile / f"ingress-{offered or 'saturation'}.txt"
                cpu_before = cpu_seconds(worker.popen.pid)
                with profiled(worker.popen.pid, out):
                    result = loadgen(url, offered, args.duration, args.connections)
                cpu = cpu_seconds(worker.popen.pid) - cpu_before
                result["worker_cpu_ms_per_request"] = round(
                    1000 * cpu / max(result["requests"], 1), 3
                )
                results.append(("ingress worker", result))
            worker.stop()
    finally:
        for process in processes:
            process.stop()
    machine.load_after = load_average()

    if args.rates != "500,1000,2000,0":
        print("partial run (--rates): no report written")
        return
    hello_sat = next(r for n, r in results if n == "aiohttp baseline" and not r["offered_rate"])
    ingress_sat = next(r for n, r in results if n == "ingress worker" and not r["offered_rate"])
    at_1000 = next(r for n, r in results if n == "ingress worker" and r["offered_rate"] == 1000)
    ratio = ingress_sat["accepted_per_s"] / hello_sat["accepted_per_s"]
    sat_met = ingress_sat["accepted_per_s"] >= 1500
    p99_met = at_1000["p99_ms"] < 50 and at_1000["accepted"] >= 0.99 * at_1000["requests"]
    headers = [
        "endpoint",
        "offered/s",
        "accepted/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "non-200",
        "generator behind (ms)",
        "worker CPU ms/request",
    ]
    body = "\n\n".join(
        [
            "## (a) Ingress: signed webhooks -> `shopify.webhooks`",
            machine.markdown(),
            f"Run: `python -m bench.ingress --duration {args.duration:g}`; one worker process "
            f"with `--roles ingress` (INFO logging); a separate `bench.loadgen` process "
            f"(aiohttp client, {args.connections} connections, open loop at fixed rates, "
            "latency from each request's scheduled time; closed loop for saturation), "
            f"{args.duration:g} s per rate, every request a distinct signed `orders/create` "
            "(~1 KiB) with its own event id. Broker: "
            + ("dedicated bench broker." if not args.bootstrap else f"`{args.bootstrap}`."),
            table(headers, [row(n, r) for n, r in results]),
            f"- Saturation ratio ingress / aiohttp baseline: **{ratio:.2f}** "
            f"({ingress_sat['accepted_per_s']:.0f} / {hello_sat['accepted_per_s']:.0f} per s)",
            f"- Target >= 1,500 accepted/s per process: **{'met' if sat_met else 'missed'}** "
            f"({ingress_sat['accepted_per_s']:.0f}/s)",
            f"- Target p99 < 50 ms at 1,000/s: **{'met' if p99_met else 'missed'}** "
            f"(p99 {at_1000['p99_ms']} ms, {at_1000['accepted']}/{at_1000['requests']} accepted)",
            "The load generator shares the 2 cores with the worker, the broker and the "
            "other load; 'generator behind' > 0 means it could not keep its own schedule.",
        ]
    )
    publish("ingress", body, args)
    print(f"logs in {tmp}; done at {time.strftime('%H:%M:%S')}")


if __name__ == "__main__":
    main()
