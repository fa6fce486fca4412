"""The shipped stubs describe the built module: mypy's stubtest compares
every name, signature and class in _native.pyi with the module itself."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_stubtest_agrees_with_the_native_module() -> None:
    pytest.importorskip("mypy")
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "net_sdk._native"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
