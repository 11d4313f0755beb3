"""Text fingerprints for spotting syndicated near-duplicates.

A bottom-k MinHash sketch: the k smallest hashes of the text's word 3-shingles. Two copies of one
wire story with small edits (a changed headline word, a dropped paragraph, a site footer) keep most
of their smallest shingle hashes, so the share of sketch values they have in common estimates how
much text they share (their Jaccard resemblance). Each sketch value is also a ready-made index key:
candidate duplicates are the stories that share at least one value.

>>> story = "Russia sent troops to Kazakhstan on Thursday after days of deadly unrest in Almaty, officials said"
>>> copy = story.replace("Thursday", "Thursday night")
>>> other = "Japan and the US vowed to work together on defence"
>>> resemblance(sketch(story), sketch(copy)) > 0.5 > resemblance(sketch(story), sketch(other))
True
>>> decode(encode(sketch(story))) == sketch(story)
True
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib

_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 3
SIZE = 16


def sketch(text: str, size: int = SIZE) -> tuple[int, ...]:
    """The `size` smallest 32-bit hashes of the word 3-shingles of `text`, ascending."""
    words = _WORD.findall(text.lower())
    n = max(1, len(words) - SHINGLE + 1)
    hashes = {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(n)}
    return tuple(heapq.nsmallest(size, hashes))


def resemblance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard resemblance of the texts behind two sketches (0.0–1.0)."""
    if not a or not b:
        return 0.0
    size = max(len(a), len(b))
    union_bottom = heapq.nsmallest(size, set(a) | set(b))
    shared = set(a) & set(b)
    return sum(1 for h in union_bottom if h in shared) / len(union_bottom)


def encode(values: tuple[int, ...]) -> str:
    """Hex text of a sketch, as carried in `TaggedArticle.fingerprint`."""
    return struct.pack(f">{len(values)}I", *values).hex()  # 8 lowercase hex digits per value


def decode(text: str) -> tuple[int, ...]:
    return tuple(int(text[i : i + 8], 16) for i in range(0, len(text), 8))
