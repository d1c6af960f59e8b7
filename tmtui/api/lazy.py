"""Third-party modules imported on first use, so importing tmtui.api costs no HTTP stack.

httpx (with httpcore, h11, and click and pygments when the server extra is
installed) is about a fifth of the TUI's start-up, and the first frame needs
none of it: the API modules bind ``httpx`` to :func:`lazy_module`'s module,
which is really imported at its first attribute access (the first request,
or an ``except httpx.X`` clause that is reached). Type checkers see a plain
``import httpx`` under ``TYPE_CHECKING``.

The first access runs the import on the calling thread; the API is used from
one event loop, so two threads never race for it.

httpx also imports its command-line tool (``httpx._main``: click, pygments,
rich's syntax highlighting) whenever click is installed, which the server
extra does: about a third of httpx's import, for a tool tmtui never runs.
:func:`httpx_module` registers a stand-in first; ``httpx.main()`` still works
(it imports the real tool then), and so does any other name asked of it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

_HTTPX_CLI = "httpx._main"


class _CliStandIn(ModuleType):
    """``httpx._main`` until something asks for more than ``main``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system probing (__path__...): a plain module
            raise AttributeError(name)
        return getattr(_real_cli(), name)


def _real_cli() -> ModuleType:
    if isinstance(sys.modules.get(_HTTPX_CLI), _CliStandIn):
        del sys.modules[_HTTPX_CLI]
    return importlib.import_module(_HTTPX_CLI)


def _cli_main(*args: Any, **kwargs: Any) -> Any:
    return _real_cli().main(*args, **kwargs)


def httpx_module() -> ModuleType:
    """:func:`lazy_module` ("httpx"), without importing its command-line tool."""
    if "httpx" not in sys.modules and _HTTPX_CLI not in sys.modules:
        stand_in = _CliStandIn(_HTTPX_CLI)
        stand_in.main = _cli_main  # type: ignore[attr-defined]
        sys.modules[_HTTPX_CLI] = stand_in
    return lazy_module("httpx")


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
