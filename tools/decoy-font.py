#!/usr/bin/env python3
"""Writes assets/fonts/test/decoy-noto-sans-cjk-jp.ttf: a tiny font that
calls itself "Noto Sans CJK JP" and draws a crude 吉 (short lower stroke) for
𠮷 U+20BB7, 髙 U+9AD9 and 﨑 U+FA11. The font unit tests install it the way
a machine's own fonts would be, to prove they cannot replace the bundled
glyphs. Test material only; drawn here, from no other font.
"""
import os
import sys

from fontTools.fontBuilder import FontBuilder
from fontTools.misc.timeTools import timestampFromString
from fontTools.pens.ttGlyphPen import TTGlyphPen

FAMILY = "Noto Sans CJK JP"


def boxes(rects):
    pen = TTGlyphPen(None)
    for x0, y0, x1, y1 in rects:
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
    return pen.glyph()


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "assets/fonts/test/decoy-noto-sans-cjk-jp.ttf")
    # 士 (long upper bar, short lower bar, one stem) over 口.
    kichi = boxes([
        (100, 760, 900, 820), (280, 560, 720, 620), (470, 560, 530, 880),
        (200, 60, 260, 460), (740, 60, 800, 460), (200, 400, 800, 460),
        (200, 60, 800, 120),
    ])
    notdef = boxes([(100, 0, 900, 800)])
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "kichi"])
    fb.setupCharacterMap({0x20BB7: "kichi", 0x9AD9: "kichi", 0xFA11: "kichi"})
    fb.setupGlyf({".notdef": notdef, "kichi": kichi})
    fb.setupHorizontalMetrics({".notdef": (1000, 100), "kichi": (1000, 100)})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({
        "familyName": FAMILY,
        "styleName": "Regular",
        "uniqueFontIdentifier": "Madoguchi test decoy",
        "fullName": FAMILY + " Regular",
        "psName": "NotoSansCJKjp-Regular",
        "version": "Version 0.001",
    })
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120,
                usWeightClass=400)
    fb.setupPost()
    # A fixed date: the same script writes the same bytes.
    fb.font["head"].created = fb.font["head"].modified = timestampFromString("Mon Jan  5 00:00:00 2026")
    fb.font.recalcTimestamp = False
    fb.save(out)
    print("%s: %d bytes" % (os.path.relpath(out), os.path.getsize(out)))


if __name__ == "__main__":
    main()
