"""The README's mesh section runs as written: every ``python`` block under
"## The mesh" is a complete program, run here in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def mesh_blocks() -> List[str]:
    text = README.read_text()
    section = text.split("\n## The mesh\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_mesh_section_has_programs() -> None:
    assert len(mesh_blocks()) == 3


@pytest.mark.parametrize("index", range(3))
def test_readme_mesh_block_runs(index: int) -> None:
    code = mesh_blocks()[index]
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip(), "the example prints what it did"
