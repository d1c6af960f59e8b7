"""Third-party modules imported on first use, so importing tmtui.api costs no HTTP stack.

httpx (with httpcore, h11, and click and pygments when the server extra is
installed) is about a fifth of the TUI's start-up, and the first frame needs
none of it: the API modules bind ``httpx`` to :func:`lazy_module`'s module,
which is really imported at its first attribute access (the first request,
or an ``except httpx.X`` clause that is reached). Type checkers see a plain
``import httpx`` under ``TYPE_CHECKING``.

The first access runs the import on the calling thread; the API is used from
one event loop, so two threads never race for it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, imported now if it already is, else on first attribute access."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
