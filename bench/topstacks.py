"""Top functions of a py-spy collapsed-stack file (`--format raw`): self and inclusive shares.

python bench/topstacks.py profile.txt [--top 25] [--match streams/]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def shares(path: Path) -> tuple[Counter[str], Counter[str], int]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        count = int(n)
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("site-packages/")[-1]
                  for f in stack.split(";")]  # fmt: skip
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return own, inclusive, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="")
    args = parser.parse_args()
    own, inclusive, total = shares(args.path)
    for title, counter in (("self", own), ("inclusive", inclusive)):
        print(f"--- {title} (of {total} samples)")
        for frame, n in [(f, n) for f, n in counter.most_common() if args.match in f][: args.top]:
            print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
