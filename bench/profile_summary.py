"""Summarise a py-spy ``--format raw`` (collapsed stacks) profile in the terminal.

``python -m bench.profile_summary PROFILE [--top 25] [--match TEXT]`` prints
the functions with the most samples on the stack (inclusive) and at the top of
the stack (self), as a share of all samples.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path


def summarise(path: Path, top: int, match: str | None) -> str:
    """The inclusive and self tables of the profile at ``path``."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [re.sub(r" \((.*/)?(site-packages/)?", " (", f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"\n-- {title} --")
        shown = 0
        for frame, count in counter.most_common():
            if match and match not in frame:
                continue
            lines.append(f"{100 * count / max(total, 1):5.1f}%  {frame[:150]}")
            shown += 1
            if shown >= top:
                break
    return "\n".join(lines)


def main() -> None:
    """Print the summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default=None, help="only frames containing this text")
    args = parser.parse_args()
    print(summarise(args.profile, args.top, args.match))


if __name__ == "__main__":
    main()
