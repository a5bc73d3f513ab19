"""Suite files on disk: safe names for any table, canonical text, atomic writes that keep the mode.

Files are GX's own serialized form (`ExpectationSuite.to_json_dict()`), written
with sorted keys, two-space indent and a trailing newline so a diff is small.
A write that would not change a byte does not touch the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

NEW_SUITE_MODE = 0o644  # suites are shared text the analysts edit, not secrets
MAX_STEM_CHARACTERS = 80


def dump_suite(data: dict[str, Any]) -> str:
    """The canonical text of a suite file."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_suite(path: Path, data: dict[str, Any]) -> bool:
    """Write atomically (a reader never sees half a suite); False if the file already says it.

    An existing file keeps its mode; a new one gets NEW_SUITE_MODE.
    """
    text = dump_suite(data)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = NEW_SUITE_MODE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def suite_file_name(table: str) -> str:
    """A file name for `table`'s suite that is safe on any file system and in a shell.

    Letters (any script), digits, `_`, `-` and inner dots are kept; anything else
    becomes `_`; no leading dot or dash (hidden files, options); a long name is
    cut and given a short hash of the full one.
    """
    stem = re.sub(r"[^\w.-]", "_", table).lstrip(".-") or "table"
    if len(stem) > MAX_STEM_CHARACTERS:
        digest = hashlib.sha256(table.encode("utf-8")).hexdigest()[:8]
        stem = f"{stem[:MAX_STEM_CHARACTERS]}_{digest}"
    return f"{stem}.json"


def new_suite_path(expectations_dir: Path, table: str) -> Path:
    """A file name for a new suite that no other suite has (`a b` and `a_b` share a name)."""
    base = expectations_dir / suite_file_name(table)
    taken = {path.name.casefold() for path in expectations_dir.glob("*")}
    path, number = base, 2
    while path.name.casefold() in taken:  # `Order` and `order` share a file on some systems
        path, number = base.with_name(f"{base.stem}_{number}.json"), number + 1
    return path
