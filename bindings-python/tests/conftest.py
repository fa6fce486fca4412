"""Shared fixtures. These tests import the INSTALLED wheel (make
test-python installs it into a fresh virtual environment); they never put
the source tree on sys.path."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from net_sdk import NetNode

VECTORS = Path(os.environ.get("NET_VECTORS_DIR", Path(__file__).resolve().parents[2] / "tests" / "vectors"))


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@pytest.fixture
def node() -> Iterator[NetNode]:
    with NetNode(shards=2) as n:
        yield n
