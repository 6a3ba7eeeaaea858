"""Import all of ``core`` once, while ``ui`` is first imported, before a page imports a piece of it.

Streamlit runs every session's script in a thread of its own. On a cold server a class opening different pages at
once imports core's modules from several threads, and Python 3.11's per-module import locks can then hand a thread
a partially initialised module (``ImportError: cannot import name 'StackedRNN' from partially initialized module
'core.stacked'``). A ``core/__init__`` that failed that way leaves the process with a ``core`` package that lacks
submodule attributes: ``AttributeError: module 'core' has no attribute 'activations'`` on every later run of page 2,
until the server restarts (seen in a load run, tests/bench/classroom.py, two cold instances under a class).

Pages import ``ui`` before core (page 2 imports ``core.activations`` first, which imports the whole package itself);
a thread that finds ``ui`` being imported by another waits until that import is complete, holding no module lock the
other needs. Importing every core module here therefore runs core's imports once, in one thread.
"""
from __future__ import annotations

import importlib
import pkgutil

import core

SKIP = ("core.bench",)  # a command-line benchmark, not used by pages


def core_modules() -> list[str]:
    """Every module of the core package (scenarios included), except :data:`SKIP`."""
    return [m.name for m in pkgutil.walk_packages(core.__path__, "core.") if m.name not in SKIP]


def preload() -> list[str]:
    """Import :func:`core_modules` (cheap after the first call); returns their names."""
    names = core_modules()
    for name in names:
        importlib.import_module(name)
    return names


preload()
