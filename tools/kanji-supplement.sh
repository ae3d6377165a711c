#!/usr/bin/env bash
# Rebuilds assets/fonts/MadoguchiKanjiSupplement-Regular.otf: the ideographs
# of Noto Sans CJK JP (Debian fonts-noto-cjk, OFL-1.1) that BIZ UDPGothic
# lacks — CJK extension A, the supplementary ideographic planes (𠮷 U+20BB7),
# compatibility ideographs — renamed so it never shadows an installed Noto.
# Needs: fonttools, fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
NOTO=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
BIZ=assets/fonts/BIZUDPGothic-Regular.ttf
OUT=assets/fonts/MadoguchiKanjiSupplement-Regular.otf
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
/usr/bin/python3 - "$NOTO" "$BIZ" "$LIST" <<'PY'
import sys
from fontTools.ttLib import TTCollection, TTFont
noto, biz, out = sys.argv[1:]
jp = TTCollection(noto).fonts[0].getBestCmap()
have = TTFont(biz).getBestCmap()
def ideograph(cp):
    return (0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF
            or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF)
open(out, "w").write("\n".join("U+%X" % cp for cp in sorted(jp) if cp not in have and ideograph(cp)))
PY
pyftsubset "$NOTO" --font-number=0 --unicodes-file="$LIST" --layout-features='*' \
  --no-hinting --output-file="$OUT.tmp"
/usr/bin/python3 - "$OUT.tmp" "$OUT" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
for rec in f["name"].names:
    if rec.nameID in (1, 16):
        rec.string = "Madoguchi Kanji Supplement"
    elif rec.nameID == 4:
        rec.string = "Madoguchi Kanji Supplement Regular"
    elif rec.nameID == 6:
        rec.string = "MadoguchiKanjiSupplement-Regular"
    elif rec.nameID == 3:
        rec.string = "Madoguchi Kanji Supplement (subset of Noto Sans CJK JP 2.004)"
f.save(sys.argv[2])
PY
rm -f "$OUT.tmp"
ls -l "$OUT"
