"""Tagging speed of two source trees on the real 1987 wire, alternated, with the median ratio.

Each pass is a fresh interpreter with PYTHONPATH set to one tree: it reads the first `--articles`
stories of `../shared/data/reuters87-dev.jsonl.gz`, decodes each as `geopulse tag` does (lenient
reader, validation), tags it, encodes the TaggedArticle's JSON, and prints the process CPU time per
article after a warm-up (start-up left out). Passes alternate A, B, A, B, ... so that load from other
processes on a shared machine hits both alike; the ratio is the median of the per-pair ratios
(above 1: B is faster), and each tree's output digest is printed so that a speed change can be
seen to leave the bytes alone.

    python bench/tag_ab.py A_TREE B_TREE [--pairs 5] [--articles 4000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters87-dev.jsonl.gz"
PASS = """
import gzip, hashlib, sys, time
from itertools import islice
from streams.offline import _tag_one
lines = list(islice(gzip.open(sys.argv[1], "rb"), int(sys.argv[2])))
for line in lines[:200]:
    _tag_one("", line)
digest = hashlib.sha256()
start = time.process_time()
for line in lines:
    result = _tag_one("", line)[1]
    digest.update(result.to_json() if hasattr(result, "to_json") else repr(result).encode())
print((time.process_time() - start) / len(lines) * 1e6, digest.hexdigest()[:16])
"""


def one_pass(tree: Path, articles: int) -> tuple[float, str]:
    """CPU µs per article of one pass over the wire in `tree`, and the digest of its output."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", PASS, str(DATA), str(articles)], env=env, cwd=tree, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    return float(out[0]), out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--articles", type=int, default=4000)
    args = parser.parse_args()
    pairs = []
    digests = set()
    for _ in range(args.pairs):
        (a_us, a_digest), (b_us, b_digest) = one_pass(args.a, args.articles), one_pass(args.b, args.articles)
        pairs.append((a_us, b_us))
        digests |= {("A", a_digest), ("B", b_digest)}
        print(f"A {a_us:7.1f} us/article   B {b_us:7.1f} us/article   A/B {a_us / b_us:.3f}", flush=True)
    a_us, b_us = statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
    print(f"median A {a_us:.1f}  B {b_us:.1f} us/article")
    print(f"speed ratio B/A (median of pairs): {statistics.median(a / b for a, b in pairs):.3f}")
    print("output digests:", ", ".join(f"{side} {d}" for side, d in sorted(digests)))


if __name__ == "__main__":
    main()
