#!/usr/bin/env bash
# The ONE abi3 wheel under the oldest and the newest CPython (3.9 or newer)
# this machine has — pyenv's versions and python3.N on PATH — each in a
# fresh venv holding only the wheel and the pinned test tools, running the
# whole pytest suite (stubtest included). The two ends of the range are
# where the limited API and asyncio differ most; `make test-python` runs
# the suite under the build interpreter too, and every minor in between
# would only add minutes to CI. Fewer than two minor versions found: uv
# (from PyPI, into .tools) installs 3.9 and 3.12.
#
#   bindings-python/scripts/abi3-test.sh WHEEL_DIR WORK_DIR TOOLS_DIR PYTEST_VER MYPY_VER
set -euo pipefail

wheels=$1 work=$2 tools=$3 pytest_ver=$4 mypy_ver=$5
repo=$(cd "$(dirname "$0")/../.." && pwd)
wheel=$(ls "$wheels"/*.whl)
case "$(basename "$wheel")" in *-cp39-abi3-*) ;; *) echo "abi3-test: $(basename "$wheel") is not a cp39-abi3 wheel" >&2; exit 1;; esac

declare -A by_minor=()
candidates() {
  ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python 2>/dev/null || true
  for n in 9 10 11 12 13 14; do command -v "python3.$n" 2>/dev/null || true; done
  [ -d "$tools/uv-python" ] && ls -d "$tools"/uv-python/*/bin/python3 2>/dev/null || true
}
collect() {
  while read -r py; do
    [ -x "$py" ] || continue
    minor=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2] if sys.version_info >= (3, 9) else "old")' 2>/dev/null) || continue
    case "$minor" in 3.*) ;; *) continue;; esac
    "$py" -c 'import venv, ensurepip' 2>/dev/null || continue
    [ -n "${by_minor[$minor]:-}" ] || by_minor[$minor]=$py
  done < <(candidates)
}
collect
if [ "${#by_minor[@]}" -lt 2 ]; then
  echo "abi3-test: fewer than two CPython minor versions here; installing 3.9 and 3.12 with uv"
  [ -x "$tools/uv/bin/uv" ] || { python3 -m venv "$tools/uv" && "$tools/uv/bin/pip" install -q --disable-pip-version-check uv; }
  UV_PYTHON_INSTALL_DIR=$tools/uv-python "$tools/uv/bin/uv" python install 3.9 3.12
  collect
fi
[ "${#by_minor[@]}" -ge 2 ] || { echo "abi3-test: need two CPython minor versions, found ${!by_minor[*]}" >&2; exit 1; }

minors=$(printf '%s\n' "${!by_minor[@]}" | sort -V)
ends="$(echo "$minors" | head -1) $(echo "$minors" | tail -1)"
for minor in $ends; do
  py=${by_minor[$minor]}
  env=$work/cp$minor
  rm -rf "$env"
  "$py" -m venv "$env"
  "$env/bin/python" -m pip install -q --disable-pip-version-check "pytest==$pytest_ver" "mypy==$mypy_ver" "$wheel"
  echo "== CPython $minor ($py): $(basename "$wheel")"
  (cd "$repo/bindings-python/tests" && NET_VECTORS_DIR=$repo/tests/vectors "$env/bin/python" -m pytest -q -p no:cacheprovider)
done
echo "abi3-test: one wheel passed under CPython $ends (found: $(echo $minors))"
