"""Render tools in a format and write them all-or-nothing.

Files are written into a temporary directory next to the destination and moved into place only when
every file rendered and validated, so a failure leaves the destination as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from service.errors import ConfigError
from service.tool_json.api_format import tool_request, validate_tool_request
from service.tool_json.models import to_ui
from service.tool_json.spec import ToolSpec


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FORMATS: tuple[str, ...] = ("ui", "api")


def render(tools: tuple[ToolSpec, ...], fmt: str = "ui") -> dict[str, dict[str, Any]]:
    """`{file name: JSON document}` for `fmt` ("ui": the dashboard shape; "api": the POST body)."""
    if fmt == "ui":
        return {f"{spec.name}.json": to_ui(spec).to_json() for spec in tools}
    if fmt == "api":
        docs = {f"{spec.name}.json": tool_request(spec) for spec in tools}
        for doc in docs.values():
            validate_tool_request(doc)
        return docs
    raise ConfigError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def dumps(doc: Any) -> str:
    """The committed JSON style: two-space indent, UTF-8, trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_files(out: Path, files: dict[str, str]) -> list[Path]:
    """Write `files` (name → text) into directory `out`, all or nothing; returns the written paths."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; the result should look like mkdir's
    except OSError as exc:
        raise ConfigError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if not out.exists():
            staging.rename(out)
        else:
            for name in files:
                os.replace(staging / name, out / name)
    except OSError as exc:
        raise ConfigError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in files]


def write_file(path: Path, text: str) -> Path:
    """Write one file atomically (temp file in the same directory, then rename)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"--out {path} is a directory; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ConfigError(f"cannot write to {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write to {path}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
