#!/usr/bin/env bash
# Rebuilds assets/fonts/MadoguchiKanjiSupplement-Regular.otf, the fallback
# behind BIZ UDPGothic: a subset of Noto Sans CJK JP (OFL-1.1), renamed so it
# never shadows an installed Noto. It holds every code point of Noto that
# BIZ UDPGothic lacks among
#   - the ideographs (CJK extension A, unified and compatibility
#     ideographs, the supplementary planes with 𠮷): holder names may carry
#     kanji outside JIS X 0213 (with substitute-character flags),
#   - JIS X 0213:2004 (assets/fonts/test/jisx0213.txt,
#     tools/jisx0213-list.py),
#   - the names and addresses of the demo cards, the Fluent catalogues and
#     the non-ASCII characters of the app's own code,
#   - the base ideographs of Noto's variation sequences (IVS), with Noto's
#     cmap format-14 records for them.
# JIS X 0213 1-02-54/55 (⦅ ⦆, U+2985/U+2986) are in neither font: they get
# Noto's fullwidth white parentheses (U+FF5F/U+FF60), the same JIS
# characters under their other Unicode mapping.
# Also writes assets/fonts/test/noto-ivs.txt, the IVS Noto supports (the
# unit tests check that each one draws from a bundled font).
#
# Usage: tools/kanji-supplement.sh [NotoSansCJK-Regular.ttc]
# (default: Debian's fonts-noto-cjk path). By hand only, never in CI. Without
# installing Noto system-wide (that would hide missing glyphs):
#   cd /tmp && apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
#   tools/kanji-supplement.sh /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# Needs: python3 with fonttools (python3 -m pip install fonttools).
set -euo pipefail
cd "$(dirname "$0")/.."
NOTO=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
BIZ=assets/fonts/BIZUDPGothic-Regular.ttf
OUT=assets/fonts/MadoguchiKanjiSupplement-Regular.otf
IVS=assets/fonts/test/noto-ivs.txt
[ -f "$NOTO" ] || { echo "no Noto Sans CJK at $NOTO (see the usage above)" >&2; exit 1; }
python3 tools/jisx0213-list.py
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# What the supplement must hold: $WORK/required (every code point the app
# needs, BIZ or not), $WORK/unicodes (what pyftsubset keeps).
python3 - "$NOTO" "$BIZ" "$WORK" "$IVS" <<'PY'
import glob, sys, tomllib
from fontTools.ttLib import TTCollection, TTFont
noto_path, biz_path, work, ivs_out = sys.argv[1:]
noto = TTCollection(noto_path).fonts[0]
assert noto["name"].getDebugName(1) == "Noto Sans CJK JP", "face 0 is not Noto Sans CJK JP"
jp = noto.getBestCmap()
biz = TTFont(biz_path).getBestCmap()

def ideograph(cp):
    return (0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF
            or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF)

required = set()
for line in open("assets/fonts/test/jisx0213.txt", encoding="ascii"):
    if not line.startswith("#"):
        required.update(int(u[2:], 16) for u in line.split()[1:])
for card in glob.glob("fixtures/cards/*/card.toml"):
    info = tomllib.load(open(card, "rb")).get("card_info", {})
    for key in ("name", "address"):
        required.update(ord(c) for c in info.get(key, ""))
for ftl in glob.glob("assets/i18n/*/*.ftl"):
    for line in open(ftl, encoding="utf-8"):
        if not line.lstrip().startswith("#"):
            required.update(ord(c) for c in line if c >= " ")
for rs in glob.glob("src/**/*.rs", recursive=True):
    required.update(ord(c) for c in open(rs, encoding="utf-8").read() if ord(c) > 0x7F)

uvs = [t for t in noto["cmap"].tables if t.format == 14][0].uvsDict
ivs = sorted((base, vs) for vs, recs in uvs.items() if 0xE0100 <= vs <= 0xE01EF for base, _ in recs)
with open(ivs_out, "w", encoding="ascii", newline="\n") as f:
    f.write("# The ideographic variation sequences Noto Sans CJK JP 2.004 supports (its cmap\n"
            "# format-14 records, selectors U+E0100..U+E01EF): base, selector. Written by\n"
            "# tools/kanji-supplement.sh; do not edit.\n")
    f.write("".join("U+%04X U+%04X\n" % p for p in ivs))
required.update(base for base, _ in ivs)

aliases = {0x2985: 0xFF5F, 0x2986: 0xFF60}
keep = {cp for cp in jp if cp not in biz and (ideograph(cp) or cp in required)}
keep |= {aliases[cp] for cp in required if cp in aliases and cp not in biz and cp not in jp}
missing = sorted(cp for cp in required if cp not in biz and cp not in jp and cp not in aliases)
if missing:
    sys.exit("in neither BIZ UDPGothic nor Noto: " + " ".join("U+%04X" % c for c in missing))
# The selectors themselves: pyftsubset keeps a format-14 record only when
# both its selector and its base are asked for.
keep |= set(uvs)
open(work + "/required", "w").write("\n".join("%X" % c for c in sorted(required)))
open(work + "/unicodes", "w").write("\n".join("U+%X" % c for c in sorted(keep)))
print("required %d code points, BIZ UDPGothic lacks %d; subset of %d code points, %d IVS listed"
      % (len(required), len([c for c in required if c not in biz]), len(keep), len(ivs)))
PY

# Default layout features minus 'locl': its Korean and Chinese forms would
# add 7,000 glyphs that a Japanese app never selects.
pyftsubset "$NOTO" --font-number=0 --unicodes-file="$WORK/unicodes" \
  --layout-features-='locl' --no-hinting --output-file="$WORK/subset.otf"

python3 - "$WORK/subset.otf" "$OUT" "$BIZ" "$WORK/required" <<'PY'
import sys
from fontTools.ttLib import TTFont
src, out, biz_path, required_path = sys.argv[1:]
f = TTFont(src, recalcTimestamp=False)  # same input, same bytes
for rec in f["name"].names:
    if rec.nameID in (1, 16):
        rec.string = "Madoguchi Kanji Supplement"
    elif rec.nameID == 4:
        rec.string = "Madoguchi Kanji Supplement Regular"
    elif rec.nameID == 6:
        rec.string = "MadoguchiKanjiSupplement-Regular"
    elif rec.nameID == 3:
        rec.string = "Madoguchi Kanji Supplement (subset of Noto Sans CJK JP 2.004)"
# ⦅ ⦆ on Noto's fullwidth white parentheses.
for t in f["cmap"].tables:
    if t.isUnicode() and t.format in (4, 12):
        for cp, alias in ((0x2985, 0xFF5F), (0x2986, 0xFF60)):
            if alias in t.cmap:
                t.cmap[cp] = t.cmap[alias]
f.save(out)

# Check the result: every required code point in one of the two fonts.
have = set(TTFont(out).getBestCmap()) | set(TTFont(biz_path).getBestCmap())
required = [int(x, 16) for x in open(required_path).read().split()]
lost = [c for c in required if c not in have]
if lost:
    sys.exit("not covered: " + " ".join("U+%04X" % c for c in lost))
g = TTFont(out)
records = sum(len(v) for t in g["cmap"].tables if t.format == 14 for v in t.uvsDict.values())
print("%s: %d glyphs, %d code points, %d variation sequences"
      % (out, g["maxp"].numGlyphs, len(g.getBestCmap()), records))
PY
ls -l "$OUT" "$IVS"
