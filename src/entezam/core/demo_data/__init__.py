"""Realistic Persian names and places for deterministic demo data."""

import json
from functools import cache
from pathlib import Path


@cache
def names() -> dict:
    return json.loads((Path(__file__).parent / "names.json").read_text(encoding="utf-8"))
