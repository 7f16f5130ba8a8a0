#!/usr/bin/env python3
"""Writes each ```cpp block of docs/*.md that includes a natkit header to OUT_DIR as
<page>_<n>.cpp (n counts the page's cpp blocks from 1), so that the documentation's examples
are compiled, and run, by the test build (tests/docs/CMakeLists.txt). Blocks without an
#include of natkit are fragments and are not extracted.
usage: extract_examples.py OUT_DIR DOC.md..."""
import os
import re
import sys

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
wanted = set()
for md in sys.argv[2:]:
    page = re.sub(r"[^A-Za-z0-9]", "_", os.path.splitext(os.path.basename(md))[0])
    blocks = re.findall(r"^```cpp[ \t]*\n(.*?)^```[ \t]*$", open(md, encoding="utf-8").read(), re.M | re.S)
    for n, code in enumerate(blocks, 1):
        if not re.search(r'#include\s*[<"]natkit', code):
            continue
        name = "%s_%d.cpp" % (page, n)
        wanted.add(name)
        text = "// Extracted from docs/%s by tests/docs/extract_examples.py; edit the page, not this.\n%s" % (
            os.path.basename(md), code)
        path = os.path.join(out_dir, name)
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
for stale in set(os.listdir(out_dir)) - wanted:
    if stale.endswith(".cpp"):
        os.remove(os.path.join(out_dir, stale))
print(";".join(sorted(wanted)), end="")
