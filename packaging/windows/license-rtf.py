#!/usr/bin/env python3
"""Writes License.rtf, the text of the MSI's licence page (WixUI_Minimal), from the
notice below. Run it after changing the notice and commit the result.
Non-ASCII characters become RTF \\uN escapes, so the file is plain ASCII."""

import pathlib

NOTICE = [
    ("b", "Madoguchi (窓口)"),
    ("", "Copyright 2026 The Madoguchi developers."),
    ("", "Madoguchi is free software: you may use, copy, modify and distribute it under the "
         "terms of the MIT License or the Apache License, Version 2.0, at your option "
         "(LICENSE-MIT.txt and LICENSE-APACHE.txt in the install folder). It comes "
         "without any warranty."),
    ("", "The fonts built into the program are under the SIL Open Font License 1.1: "
         "BIZ UDPGothic, Copyright 2022 The BIZ UDGothic Project Authors "
         "(OFL-BIZ-UDPGothic.txt), and a subset of Noto Sans CJK JP, Copyright 2014-2021 "
         "Adobe (OFL-NotoSansCJK.txt). The Rust libraries it is built from and their "
         "licences are listed in THIRD-PARTY-LICENSES.md."),
    ("", "The demo mode makes its own test PKI each time it starts; it is trusted only "
         "inside the demo, and no key is installed."),
    ("b", "日本語"),
    ("", "窓口（Madoguchi）はフリーソフトウェアです。MIT ライセンスまたは Apache License 2.0 "
         "のいずれかの条件で、利用・複製・改変・再配布できます。無保証です。"
         "内蔵フォント（BIZ UDPゴシック、Noto Sans CJK JP の一部）は SIL Open Font License 1.1 で提供されています。"),
]


def rtf_text(s: str) -> str:
    out = []
    for ch in s:
        code = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif code < 128:
            out.append(ch)
        else:
            if code > 32767:
                code -= 65536
            out.append(f"\\u{code}?")
    return "".join(out)


def main() -> None:
    parts = [
        "{\\rtf1\\ansi\\ansicpg1252\\deff0",
        "{\\fonttbl{\\f0\\fswiss\\fcharset0 Segoe UI;}{\\f1\\fnil\\fcharset128 Yu Gothic UI;}}",
        "\\viewkind4\\uc1\\f0\\fs18",
    ]
    for style, text in NOTICE:
        font = "\\f1" if any(ord(c) > 127 for c in text) else "\\f0"
        body = rtf_text(text)
        if style == "b":
            body = "\\b " + body + "\\b0"
        parts.append(f"\\pard\\sa120{font} {body}\\par")
    parts.append("}")
    out = pathlib.Path(__file__).with_name("License.rtf")
    out.write_text("\n".join(parts) + "\n", encoding="ascii")
    print(out)


if __name__ == "__main__":
    main()
