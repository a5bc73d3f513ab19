"""Which sets of alert URLs apprise has already accepted, so a command does not load apprise
only to learn again that the same URLs are fine.

Checking a URL means importing apprise, which loads every one of its plugins: 0.4–1 s, paid
by each `dbguard health --quick` (every five minutes) although it sends nothing on most runs
(bench/NOTES.md). The record is a small file in the run history's folder holding one
digest per accepted set: sha256 of the URLs together with the installed apprise (the path,
size and modification time of its `__init__.py`), so a changed URL or another apprise
version is checked again. It holds digests only, never a URL (URLs carry tokens). A URL
apprise refuses is never recorded, so it is refused at every load, as before. The record
only saves time: when its folder does not exist or cannot be written, every load checks.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

RECORD_NAME = ".alert-urls-accepted"
KEPT = 16  # digests kept: a few configurations may share one history folder


def _apprise_stamp() -> str | None:
    """Where apprise is installed and which file it is, without importing it."""
    try:
        spec = importlib.util.find_spec("apprise")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        stat = os.stat(spec.origin)
    except OSError:
        return None
    return f"{spec.origin}\0{stat.st_size}\0{stat.st_mtime_ns}"


def _digest(urls: Iterable[str]) -> str | None:
    stamp = _apprise_stamp()
    if stamp is None:
        return None
    import hashlib  # here: loading OpenSSL is a cost every configuration load would pay

    text = "\n".join(["dbguard alert URLs accepted by apprise", stamp, *sorted(set(urls))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(folder: Path) -> Path:
    return folder / RECORD_NAME


def accepted_before(urls: Iterable[str], folder: Path) -> bool:
    """True if apprise accepted exactly these URLs before, with the apprise installed now."""
    digest = _digest(urls)
    if digest is None:
        return False
    try:
        return digest in _record(folder).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return False


def remember_accepted(urls: Iterable[str], folder: Path) -> None:
    """Record that apprise accepted these URLs (best effort: a failure is ignored)."""
    digest = _digest(urls)
    if digest is None or not folder.is_dir():
        return
    record = _record(folder)
    try:
        kept = record.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        kept = []
    others = [line for line in kept if line != digest]
    kept = [*others[-(KEPT - 1) :], digest]
    temporary = record.with_name(f"{RECORD_NAME}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write("\n".join(kept) + "\n")
        os.replace(temporary, record)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
