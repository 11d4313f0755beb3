"""The article fingerprint, computed like `streams.core.fingerprint.sketch` but faster.

Same words, shingles and hashes (a test checks equality with the reference on many texts); only
the work per shingle moves into C. ASCII text (most newswire) is lowercased and cut into words by
one `bytes.translate` and `split` (for ASCII, `\\w` is exactly [A-Za-z0-9_]); other text goes
through the reference's regex. Each shingle's UTF-8 bytes are `b" ".join` of its words' bytes,
which equals `" ".join(words).encode()`, so `map` can hash them without a Python loop.

>>> from streams.core.fingerprint import sketch
>>> texts = ["Russia sent troops to Kazakhstan on Thursday after days of unrest", "Straße, São Paulo – É 1"]
>>> [fingerprint_of(text) == sketch(text) for text in texts]
[True, True]
"""

from __future__ import annotations

import re
import zlib
from functools import partial
from operator import gt

from streams.core.fingerprint import SHINGLE, SIZE, sketch

_WORD = re.compile(r"\w+", re.UNICODE)
# Byte -> its lowercase if it is an ASCII word character, else a space.
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c == 95 else 32 for c in range(256)
)


def fingerprint_of(text: str, size: int = SIZE) -> tuple[int, ...]:
    """`sketch(text, size)` for 3-word shingles."""
    if text.isascii():
        words = text.encode().translate(_ASCII_WORDS).split()
    else:
        words = [word.encode() for word in _WORD.findall(text.lower())]
    if SHINGLE != 3 or len(words) < SHINGLE:
        return sketch(text, size)
    hashes = list(map(zlib.crc32, map(b" ".join, zip(words, words[1:], words[2:], strict=False))))
    # CRC-32 values spread evenly over 32 bits: about 3 * size of them fall below `limit`, and when
    # at least `size` distinct ones do, they are the smallest of all (a set of ~50 beats one of ~250).
    limit = (3 * size << 32) // len(hashes)
    small = sorted(set(filter(partial(gt, limit), hashes)))  # partial calls gt fast; limit.__gt__ is slow to call
    return tuple(small[:size] if len(small) >= size else sorted(set(hashes))[:size])
