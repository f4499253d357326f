"""Where the console's front-end lives: `static/` (the page, its stylesheet and the committed bundle built from
`web/` by esbuild: `cd service/console/web && npm ci && npm run build`), and the page itself."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
WEB_DIR = Path(__file__).resolve().parent / "web"
BUNDLE = STATIC_DIR / "console.js"
BUILD_HINT = "the console bundle is missing: cd service/console/web && npm ci && npm run build"


def bundle_missing() -> str | None:
    """A one-line instruction when the bundle has not been built, else None."""
    return None if BUNDLE.is_file() else BUILD_HINT


def index_html() -> str:
    """The page; a short instruction instead when the bundle is missing."""
    hint = bundle_missing()
    if hint is not None:
        return f"<!doctype html><meta charset=utf-8><title>Console</title><p>{hint}</p>"
    return (STATIC_DIR / "index.html").read_text()
