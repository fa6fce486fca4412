#!/usr/bin/env bash
# The sdist builds from source as pip builds it for a platform without a
# wheel: `maturin sdist`, then `pip install` of the .tar.gz into a fresh
# venv (maturin pinned, no build isolation, so no network), then the
# package imports and the quickstart runs.
#
#   bindings-python/scripts/sdist-test.sh WORK_DIR PYTHON MATURIN_VER CARGO_TARGET_DIR
set -euo pipefail

work=$1 python=$2 maturin_ver=$3 target=$4
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
"$python" -m venv "$work/env"
"$work/env/bin/pip" install -q --disable-pip-version-check "maturin==$maturin_ver"
(cd "$repo/bindings-python" && "$work/env/bin/maturin" sdist --out "$work" >/dev/null)
sdist=$(ls "$work"/*.tar.gz)
# The core the extension links is inside the sdist, not fetched.
listing=$(tar -tzf "$sdist")
grep -q '/core/src/lib.rs$' <<<"$listing" || { echo "sdist-test: $(basename "$sdist") lacks the core's sources" >&2; exit 1; }
grep -q '/python/net_sdk/_native.pyi$' <<<"$listing" || { echo "sdist-test: $(basename "$sdist") lacks the stubs" >&2; exit 1; }
# Registry crates compiled for the workspace are reused (same profile and
# flags); the build hook runs the venv's maturin, so it goes on PATH. The
# hook builds for the venv's base interpreter (MATURIN_PEP517_USE_BASE_PYTHON;
# the wheel is abi3, the same for either), the PYO3_PYTHON every other cargo
# command of `make test` uses (mk/python.mk): with the venv's own, pyo3's
# build script reran, and pyo3 was compiled again, here and in the next build.
PATH=$work/env/bin:$PATH CARGO_TARGET_DIR=$target MATURIN_PEP517_USE_BASE_PYTHON=1 \
  "$work/env/bin/pip" install -q --disable-pip-version-check --no-build-isolation "$sdist"
cd "$work"
"$work/env/bin/python" -c 'import net_sdk, pathlib; assert "site-packages" in pathlib.Path(net_sdk.__file__).parts; print("sdist-test: built from", net_sdk.__file__)'
"$work/env/bin/python" "$repo/examples/python/quickstart.py" >/dev/null
echo "sdist-test: $(basename "$sdist") built from source, imported, ran the quickstart"
