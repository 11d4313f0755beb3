"""The tagger's data files: where they live, how they load, and the version they give the tagger."""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")
DATA_FILES = ("countries.toml", "actors.toml", "events.toml", "topics.toml", "language.toml")
MODEL_FILES = ("reported.json", "story.json")  # learned weights (streams/tools/train_reported.py), read by
# reported.py and story.py
TAGGER_RELEASE = "tagger-1.0"


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed TOML data file `name` (e.g. "events.toml"), read once per process."""
    if name not in DATA_FILES:
        raise ValueError(f"name={name!r} is not one of the tagger's data files {DATA_FILES}")
    with (DATA_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def version() -> str:
    """Release plus a short hash of every data file, so a data change changes the version."""
    digest = hashlib.sha256()
    for name in DATA_FILES + MODEL_FILES:
        digest.update((DATA_DIR / name).read_bytes())
    return f"{TAGGER_RELEASE}+{digest.hexdigest()[:8]}"
