"""The README's mesh, capabilities and compute sections run as written: every
``python`` block under "## The mesh", "## Capabilities", "## Compute" and "## MeshOS" is a complete
program, run here in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks(heading: str) -> List[str]:
    text = README.read_text()
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_sections_have_programs() -> None:
    assert len(blocks("The mesh")) == 3
    assert len(blocks("Capabilities")) == 2
    assert len(blocks("Compute")) == 1
    assert len(blocks("MeshOS")) == 1


@pytest.mark.parametrize(
    "section,index", [("The mesh", 0), ("The mesh", 1), ("The mesh", 2), ("Capabilities", 0), ("Capabilities", 1), ("Compute", 0), ("MeshOS", 0)]
)
def test_readme_block_runs(section: str, index: int) -> None:
    code = blocks(section)[index]
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip(), "the example prints what it did"
