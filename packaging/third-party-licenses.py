#!/usr/bin/env python3
"""Writes the third-party licence list of a binary package of this workspace.

Usage: packaging/third-party-licenses.py [--package madoguchi] [--target TRIPLE] OUT.md

Lists the dependencies `cargo tree -e normal` shows for the package and one target
platform: what is linked into the binary, plus the procedural macros that generated part
of it; build-only and dev-only dependencies are left out. `cargo metadata` supplies each
crate's licence, repository and folder. Writes one table row per
crate (name, version, SPDX licence, repository) and then the licence and notice files
each crate ships (LICENSE*, LICENCE*, COPYING*, NOTICE*, COPYRIGHT*), identical texts
printed once with the crates that share them. Workspace members are left out.
"""

import argparse
import hashlib
import json
import pathlib
import subprocess

LICENCE_PREFIXES = ("license", "licence", "copying", "notice", "copyright", "unlicense")


def metadata(target: str) -> dict:
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--filter-platform", target],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def linked_packages(meta: dict, root_name: str, target: str) -> list:
    """The packages `cargo tree` shows under the root over normal edges: the same feature
    resolution as `cargo build -p ROOT` (dev-dependencies of the workspace do not switch
    features on, unlike the unified graph of `cargo metadata`)."""
    tree = subprocess.run(
        ["cargo", "tree", "-p", root_name, "-e", "normal", "--target", target,
         "--prefix", "none", "--format", "{p}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    wanted = set()
    for line in tree.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("v"):
            wanted.add((parts[0], parts[1][1:]))
    members = set(meta["workspace_members"])
    return sorted(
        (p for p in meta["packages"] if (p["name"], p["version"]) in wanted and p["id"] not in members),
        key=lambda p: (p["name"], p["version"]),
    )


def licence_files(package: dict) -> list:
    folder = pathlib.Path(package["manifest_path"]).parent
    files = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name.lower().startswith(LICENCE_PREFIXES):
            files.append(path)
    if package.get("license_file"):
        extra = folder / package["license_file"]
        if extra.is_file() and extra not in files:
            files.append(extra)
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--package", default="madoguchi")
    parser.add_argument("--target", default="x86_64-unknown-linux-gnu")
    args = parser.parse_args()

    meta = metadata(args.target)
    crates = linked_packages(meta, args.package, args.target)

    texts = {}  # digest -> (text, [crate ids])
    missing = []
    for p in crates:
        crate = f"{p['name']} {p['version']}"
        found = licence_files(p)
        if not found:
            missing.append(crate)
        for path in found:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            digest = hashlib.sha256(text.encode()).hexdigest()
            texts.setdefault(digest, (text, []))[1].append(f"{crate} ({path.name})")

    lines = [
        f"# Third-party licences of {args.package}",
        "",
        f"The `{args.package}` binary links these {len(crates)} crates statically "
        f"(target `{args.target}`). Generated from the crate metadata by "
        "`packaging/third-party-licenses.py`; do not edit.",
        "",
        "The fonts embedded in the binary, BIZ UDPGothic and a Noto Sans CJK JP subset, are "
        "under the SIL Open Font License 1.1; their licence files are installed with this "
        "list (`OFL.txt` or `OFL-BIZ-UDPGothic.txt`, and `OFL-NotoSansCJK.txt`).",
        "",
        "| crate | version | licence | repository |",
        "|---|---|---|---|",
    ]
    for p in crates:
        licence = p.get("license") or (f"see {p['license_file']}" if p.get("license_file") else "?")
        lines.append(f"| {p['name']} | {p['version']} | {licence} | {p.get('repository') or ''} |")
    lines += ["", "## Licence and notice texts shipped by the crates", ""]
    if missing:
        lines += [
            "These crates ship no licence file; their licence is the SPDX expression in the "
            "table above, whose standard text applies: " + ", ".join(missing) + ".",
            "",
        ]
    for text, users in sorted(texts.values(), key=lambda t: t[1][0]):
        lines += [f"### {users[0]}" + (f" and {len(users) - 1} more" if len(users) > 1 else ""), ""]
        if len(users) > 1:
            lines += ["Used by: " + ", ".join(users), ""]
        lines += ["```text", text.replace("```", "'''"), "```", ""]

    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{out}: {len(crates)} crates, {len(texts)} distinct licence texts, {len(missing)} without a file")


if __name__ == "__main__":
    main()
