"""The tests run against the installed wheel, and the wheel is complete."""

from __future__ import annotations

import sys
from pathlib import Path

import net_sdk


def test_imported_from_site_packages_not_the_source_tree() -> None:
    where = Path(net_sdk.__file__).resolve()
    assert "site-packages" in where.parts, where
    assert Path(sys.prefix).resolve() in where.parents


def test_wheel_ships_stubs_and_py_typed() -> None:
    pkg = Path(net_sdk.__file__).parent
    assert (pkg / "py.typed").is_file()
    assert (pkg / "_native.pyi").is_file()


def test_public_names() -> None:
    for name in net_sdk.__all__:
        assert hasattr(net_sdk, name), name
    assert net_sdk.TOKEN_WIRE_SIZE == 161
