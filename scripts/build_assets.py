#!/usr/bin/env python3
"""Copy the front-end files the templates use from node_modules into build/static/vendor.

Run `npm ci` (or `npm install`) first. Files referenced from copied CSS (`url(...)`) and
source maps named by `sourceMappingURL` are copied too, so relative paths keep working
and the manifest static-files storage can resolve every reference. The output directory
is rebuilt from scratch on every run, so running twice gives the same tree.
Standard library only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath

PROJECT_DIR = Path(__file__).resolve().parent.parent

# (package directory inside node_modules, source path inside it, destination inside vendor/)
ENTRIES: list[tuple[str, str, str]] = [
    ("bootstrap", "dist/css/bootstrap.rtl.min.css", "bootstrap/bootstrap.rtl.min.css"),
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap", "LICENSE", "bootstrap/LICENSE"),
    (
        "bootstrap-icons",
        "font/bootstrap-icons.min.css",
        "bootstrap-icons/bootstrap-icons.min.css",
    ),
    ("bootstrap-icons", "LICENSE", "bootstrap-icons/LICENSE"),
    ("htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org", "LICENSE", "htmx/LICENSE"),
    ("chart.js", "dist/chart.umd.min.js", "chart.js/chart.umd.min.js"),
    ("chart.js", "LICENSE.md", "chart.js/LICENSE.md"),
    ("vazirmatn", "Vazirmatn-font-face.css", "vazirmatn/Vazirmatn-font-face.css"),
    ("vazirmatn", "OFL.txt", "vazirmatn/OFL.txt"),
    # For WeasyPrint (the issued guideline's letter): TrueType, which Pango shapes.
    ("vazirmatn", "fonts/ttf/Vazirmatn-Regular.ttf", "vazirmatn/ttf/Vazirmatn-Regular.ttf"),
    ("vazirmatn", "fonts/ttf/Vazirmatn-Bold.ttf", "vazirmatn/ttf/Vazirmatn-Bold.ttf"),
    (
        "@majidh1/jalalidatepicker",
        "dist/jalalidatepicker.min.js",
        "jalalidatepicker/jalalidatepicker.min.js",
    ),
    (
        "@majidh1/jalalidatepicker",
        "dist/jalalidatepicker.min.css",
        "jalalidatepicker/jalalidatepicker.min.css",
    ),
    ("@majidh1/jalalidatepicker", "LICENSE", "jalalidatepicker/LICENSE"),
    ("tom-select", "dist/js/tom-select.complete.min.js", "tom-select/tom-select.complete.min.js"),
    (
        "tom-select",
        "dist/css/tom-select.bootstrap5.min.css",
        "tom-select/tom-select.bootstrap5.min.css",
    ),
    ("tom-select", "LICENSE", "tom-select/LICENSE"),
]

CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=([^\s*]+)")


class MissingAsset(Exception):
    pass


def referenced_files(path: Path) -> list[str]:
    """Relative files a CSS/JS file points at (fonts, images, source maps), minus query/hash."""
    if path.suffix not in {".css", ".js"}:
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    refs = SOURCE_MAP.findall(text)
    if path.suffix == ".css":
        refs += [match[1] for match in CSS_URL.findall(text)]
    relative = []
    for ref in refs:
        ref = ref.strip().split("?", 1)[0].split("#", 1)[0]
        if not ref or ref.startswith(("data:", "http:", "https:", "//", "/")):
            continue
        relative.append(ref)
    return sorted(set(relative))


def plan(node_modules: Path) -> list[tuple[Path, PurePosixPath]]:
    """Every (source, destination) pair, following references; raises MissingAsset with all gaps."""
    copies: dict[PurePosixPath, Path] = {}
    missing: list[str] = []
    queue = [
        (node_modules / package / source, PurePosixPath(dest)) for package, source, dest in ENTRIES
    ]
    while queue:
        source, dest = queue.pop()
        if dest in copies:
            continue
        if not source.is_file():
            missing.append(str(source))
            continue
        copies[dest] = source
        for ref in referenced_files(source):
            ref_dest = PurePosixPath(*(dest.parent / ref).parts)
            if ".." in ref_dest.parts:
                missing.append(f"{ref} (referenced by {source}) leaves the vendor directory")
                continue
            queue.append(((source.parent / ref).resolve(), ref_dest))
    if missing:
        raise MissingAsset(
            "These front-end files are missing from node_modules:\n  "
            + "\n  ".join(sorted(missing))
            + "\nRun `npm ci` (or `npm install`) in the project directory, then run this again."
        )
    return sorted(((src, dest) for dest, src in copies.items()), key=lambda item: str(item[1]))


def build(node_modules: Path, output: Path) -> list[PurePosixPath]:
    if not node_modules.is_dir():
        raise MissingAsset(
            f"{node_modules} does not exist. Run `npm ci` (or `npm install`) in "
            f"{node_modules.parent} first."
        )
    copies = plan(node_modules)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Build next to the target and swap it in, so a failed run never leaves a half tree.
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=output.parent))
    try:
        for source, dest in copies:
            target = staging.joinpath(*dest.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return [dest for _, dest in copies]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--node-modules", type=Path, default=PROJECT_DIR / "node_modules", help="%(default)s"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=PROJECT_DIR / "build" / "static" / "vendor",
        help="%(default)s",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    args = parser.parse_args(argv)
    try:
        copied = build(args.node_modules.resolve(), args.output.resolve())
    except MissingAsset as error:
        print(f"build_assets: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"build_assets: copied {len(copied)} files into {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
