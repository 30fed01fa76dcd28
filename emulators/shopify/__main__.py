"""``python -m emulators.shopify --port 8765 [--config file.yaml]``."""

from __future__ import annotations

import argparse
import logging
import sys

from emulators.shopify.app import run
from emulators.shopify.config import load_config
from emulators.shopify.errors import EmulatorConfigError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m emulators.shopify")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--config", help="YAML file with EmulatorConfig fields")
    parser.add_argument("--seed-orders", type=int, help="scenario events to create at start")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = load_config(args.config)
    except EmulatorConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.seed_orders is not None:
        config = config.model_copy(update={"seed_orders": args.seed_orders})
    print(
        f"Shopify emulator on http://{args.host}:{args.port} (shops: "
        f"{', '.join(s.domain for s in config.shops)})",
        flush=True,
    )
    run(args.host, args.port, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
