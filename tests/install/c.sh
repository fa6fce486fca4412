#!/usr/bin/env bash
# The installed libnet as a C or C++ user meets it: examples/c/basic.c
# copied into an empty directory outside the repository and built with
# nothing but what pkg-config says — as C, as C++, against libnet.so and
# against libnet.a — then run.
#
#   tests/install/c.sh PREFIX VERSION SONAME   (after `make install PREFIX=PREFIX`)
set -euo pipefail

prefix=$1 version=$2 soname=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
lib=$prefix/lib
fail() { echo "test-install (C): $*" >&2; exit 1; }

# The layout: the real file, the soname link, the development link.
[ -f "$lib/libnet.so.$version" ] && [ ! -L "$lib/libnet.so.$version" ] || fail "no regular file $lib/libnet.so.$version"
[ "$(readlink "$lib/$soname")" = "libnet.so.$version" ] || fail "$lib/$soname does not link to libnet.so.$version"
[ "$(readlink "$lib/libnet.so")" = "$soname" ] || fail "$lib/libnet.so does not link to $soname"
[ -f "$lib/libnet.a" ] || fail "no $lib/libnet.a"
got=$(readelf -d "$lib/libnet.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$got" = "$soname" ] || fail "libnet.so.$version has soname '$got', expected '$soname'"
for h in "$repo"/include/*.h; do
  cmp -s "$h" "$prefix/include/$(basename "$h")" || fail "header $(basename "$h") not installed as it is in include/"
done

# Nothing from the environment may point back into the repository.
unset CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH PKG_CONFIG_LIBDIR
export PKG_CONFIG_PATH=$lib/pkgconfig
pc() { pkg-config "$@" net; }
[ "$(pc --modversion)" = "$version" ] || fail "pkg-config --modversion net says '$(pc --modversion)', expected $version"
flags=$(pc --cflags --libs)
echo "test-install (C): pkg-config --cflags --libs net → $flags"
case "$flags" in *"$repo"*) fail "pkg-config flags point into the repository";; esac
case "$flags" in *"-I$prefix/include"*"-L$lib"*) ;; *) fail "pkg-config flags do not name $prefix";; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo/examples/c/basic.c" "$work/"
cd "$work"

# needs_soname BINARY: it records libnet by its soname and loads it from the prefix.
needs_soname() {
  grep -q "(NEEDED).*\[$soname\]" <<<"$(readelf -d "$1")" || fail "$1 does not record NEEDED $soname"
  grep -q "$soname => $lib/$soname " <<<"$(LD_LIBRARY_PATH=$lib ldd "$1")" || fail "$1 does not load libnet from $lib"
}

cc -std=c11 -Wall -Wextra -Werror -pedantic -o basic_c basic.c $(pc --cflags) $(pc --libs)
needs_soname basic_c
LD_LIBRARY_PATH=$lib ./basic_c > c.out
grep -q '^ingested=4 dropped=0 ' c.out || fail "basic.c did not ingest its 4 events: $(tail -1 c.out)"
echo "test-install (C): basic.c built and ran: $(tail -1 c.out)"

c++ -std=c++17 -Wall -Wextra -Werror -x c++ -o basic_cxx basic.c $(pc --cflags) $(pc --libs)
needs_soname basic_cxx
LD_LIBRARY_PATH=$lib ./basic_cxx > cxx.out
grep -q '^ingested=4 dropped=0 ' cxx.out || fail "basic.c as C++ did not ingest its 4 events: $(tail -1 cxx.out)"
echo "test-install (C++): basic.c built as C++ and ran"

# Static: libnet.a and the private libraries pkg-config lists for it.
static_libs=()
for l in $(pc --static --libs-only-l); do [ "$l" = -lnet ] || static_libs+=("$l"); done
cc -std=c11 -o basic_static basic.c $(pc --cflags) "$(pc --variable=libdir)/libnet.a" "${static_libs[@]}"
if grep -q 'NEEDED.*libnet' <<<"$(readelf -d basic_static)"; then fail "the static build still needs libnet.so"; fi
./basic_static > static.out
grep -q '^ingested=4 dropped=0 ' static.out || fail "basic.c linked statically did not ingest its 4 events: $(tail -1 static.out)"
echo "test-install (C, static): basic.c linked against libnet.a and ran"
