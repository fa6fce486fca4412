"""Shared fixtures. These tests import the INSTALLED wheel (make
test-python installs it into a fresh virtual environment); they never put
the source tree on sys.path."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest
from meshkit import PSK, handshake

from net_sdk import MeshNode, NetNode

VECTORS = Path(os.environ.get("NET_VECTORS_DIR", Path(__file__).resolve().parents[2] / "tests" / "vectors"))


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@pytest.fixture
def node() -> Iterator[NetNode]:
    with NetNode(shards=2) as n:
        yield n


@pytest.fixture
def mesh_pair() -> Iterator[Tuple[MeshNode, MeshNode]]:
    """Two mesh nodes on 127.0.0.1 with a session and running timers;
    both are shut down after the test, pass or fail."""
    with MeshNode("127.0.0.1:0", PSK) as a, MeshNode("127.0.0.1:0", PSK) as b:
        handshake(a, b)
        yield a, b
