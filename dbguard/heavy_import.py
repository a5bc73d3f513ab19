"""Import a large library without CPython's garbage collector walking it again and again.

Importing Great Expectations creates about 270,000 objects that live until the process
ends. CPython's collector runs a full (generation 2) pass over every tracked object each
time allocations pile up: five full passes during the import alone and more during a
check run, 1.0 s of a 4.4 s import and 1.5 s of a check run on the demo (measured with
`gc.callbacks`, bench/NOTES.md). None of those objects is garbage. So the import runs
with the collector paused, and what it created is then moved out of the collector's
sight with `gc.freeze()` (the pattern CPython documents for long-lived start-up state);
objects created afterwards are collected as usual. Peak memory is unchanged (measured).
"""

from __future__ import annotations

import gc
import importlib
import sys
from types import ModuleType


def import_frozen(name: str) -> ModuleType:
    """`importlib.import_module(name)` with the collector paused, then its objects frozen."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    enabled = gc.isenabled()
    gc.disable()
    try:
        return importlib.import_module(name)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
