#!/usr/bin/env python3
"""Writes assets/fonts/test/jisx0213.txt: every character of JIS X 0213:2004
(both planes) with its Unicode code points, from Python's euc_jis_2004 codec.

One line per JIS position: `plane-row-cell U+XXXX[ U+YYYY]`. A few positions
(か゚, ˩˥, …) map to two code points. The app's unit tests check that the
bundled fonts cover every code point listed; tools/kanji-supplement.sh reads
the list to choose what the kanji supplement must hold.

The codec also decodes 0x8F sequences in the plane-2 rows JIS X 0213 leaves
empty, as JIS X 0212 (EUC-JP compatibility); those are not JIS X 0213 and
are left out.
"""

# The rows of plane 2 that JIS X 0213:2004 defines.
PLANE2_ROWS = {1, 3, 4, 5, 8, 12, 13, 14, 15} | set(range(78, 95))
import os
import sys

HEADER = """\
# JIS X 0213:2004, every position of both planes, from Python's euc_jis_2004
# codec (tools/jisx0213-list.py writes this file; do not edit).
# plane-row-cell, then the Unicode code points the position decodes to.
"""


def positions():
    for plane, prefix in ((1, b""), (2, b"\x8f")):
        for row in range(1, 95):
            if plane == 2 and row not in PLANE2_ROWS:
                continue
            for cell in range(1, 95):
                raw = prefix + bytes([0xA0 + row, 0xA0 + cell])
                try:
                    text = raw.decode("euc_jis_2004")
                except UnicodeDecodeError:
                    continue
                yield plane, row, cell, text


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "assets/fonts/test/jisx0213.txt")
    lines = [
        "%d-%02d-%02d %s" % (p, r, c, " ".join("U+%04X" % ord(ch) for ch in text))
        for p, r, c, text in positions()
    ]
    with open(out, "w", encoding="ascii", newline="\n") as f:
        f.write(HEADER)
        f.write("\n".join(lines) + "\n")
    print("%s: %d positions" % (os.path.relpath(out), len(lines)))


if __name__ == "__main__":
    main()
