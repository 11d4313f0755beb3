"""The article fingerprint, computed like `streams.core.fingerprint.sketch` but faster.

Same words, shingles and hashes (a test checks equality with the reference on many texts), with the
per-shingle work pushed into `map` and `zip`; the tagger spends much of its time here otherwise.

>>> from streams.core.fingerprint import sketch
>>> text = "Russia sent troops to Kazakhstan on Thursday after days of deadly unrest"
>>> fingerprint_of(text) == sketch(text)
True
"""

from __future__ import annotations

import heapq
import re
import zlib

from streams.core.fingerprint import SHINGLE, SIZE, sketch

_WORD = re.compile(r"\w+", re.UNICODE)


def fingerprint_of(text: str, size: int = SIZE) -> tuple[int, ...]:
    """`sketch(text, size)` for 3-word shingles."""
    words = _WORD.findall(text.lower())
    if SHINGLE != 3 or len(words) < SHINGLE:
        return sketch(text, size)
    shingles = map(" ".join, zip(words, words[1:], words[2:], strict=False))
    hashes = {zlib.crc32(s.encode()) for s in shingles}
    return tuple(heapq.nsmallest(size, hashes))
