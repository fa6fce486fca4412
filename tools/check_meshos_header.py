#!/usr/bin/env python3
"""Hold net_meshos.h to the seed and to ffi/: the declarations (macros,
types, prototypes) of every header given must be the same set.

Each header is run through the C preprocessor without its #include lines
(`-dD` keeps the header's own #defines, `-P` drops line markers and
comments), split into statements, and each statement normalised to its
tokens, so layout, comments and order do not matter but any change to a
name, a type, a constant or a parameter does.

usage: check_meshos_header.py REFERENCE.h OTHER.h [OTHER.h ...]
"""
import re
import subprocess
import sys

TOKEN = re.compile(r"[A-Za-z_]\w*|-?\d+(?:\.\d+)?|\S")


def declarations(path):
    with open(path, encoding="utf-8") as f:
        text = "".join(line for line in f if not line.lstrip().startswith("#include"))
    out = subprocess.run(["gcc", "-E", "-P", "-dD", "-x", "c", "-"], input=text, capture_output=True, text=True, check=True).stdout
    decls = set()
    body = []
    for line in out.splitlines():
        if line.startswith("#define"):
            parts = line.split(None, 2)
            # The compiler's own macros (__STDC__, __x86_64__, …) and the
            # include guard are not declarations of the header.
            if len(parts) == 3 and not parts[1].startswith("_") and not parts[1].endswith("_H"):
                decls.add("#define " + parts[1] + " " + " ".join(TOKEN.findall(parts[2])))
        elif not line.startswith("#"):
            body.append(line)
    depth, current = 0, []
    for tok in TOKEN.findall("\n".join(body)):
        current.append(tok)
        depth += tok == "{"
        depth -= tok == "}"
        if tok == ";" and depth == 0:
            decls.add(" ".join(current))
            current = []
    return decls


def main():
    reference, *others = sys.argv[1:]
    want = declarations(reference)
    ok = True
    for other in others:
        got = declarations(other)
        for d in sorted(want - got):
            print(f"{other}: missing {d}")
            ok = False
        for d in sorted(got - want):
            print(f"{other}: not in {reference}: {d}")
            ok = False
    if not ok:
        sys.exit(1)
    print(f"net_meshos.h: {len(want)} declarations of {reference} match {', '.join(others)}")


if __name__ == "__main__":
    main()
