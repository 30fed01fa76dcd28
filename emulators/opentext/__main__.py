"""``python -m emulators.opentext --port N [--config FILE]``."""

from __future__ import annotations

import argparse
import logging
import sys

from emulators.opentext.app import run
from emulators.opentext.config import EmulatorConfig, load_config
from emulators.opentext.errors import EmulatorConfigError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the config and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m emulators.opentext",
        description="Stateful OpenText Workflow Service emulator for casebridge.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8089, help="port to bind (default 8089)")
    parser.add_argument("--config", help="YAML file with an EmulatorConfig")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = load_config(args.config) if args.config else EmulatorConfig()
    except EmulatorConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run(args.host, args.port, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
