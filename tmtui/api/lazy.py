"""Third-party modules imported on first use, so importing tmtui.api costs no HTTP stack.

httpx (with httpcore, h11, anyio, and click and pygments when the server extra
is installed) is about a fifth of the TUI's start-up, and the first frame needs
none of it. The API modules bind ``httpx`` to :func:`httpx_module`'s stand-in,
which imports the real module at its first attribute access (the first request,
or an ``except httpx.X`` clause that is reached) and forwards every attribute
to it. Type checkers see a plain ``import httpx`` under ``TYPE_CHECKING``.

The stand-in is never put in ``sys.modules``: the import itself goes through
the import system, so it is safe from any thread and waits for an import of
httpx already under way on another thread. That is what :func:`preload` does:
the sync core starts importing the HTTP stack on a thread when it starts (the
TUI starts it once the first frame is drawn), and the first request awaits
:func:`ready` instead of importing ~130 ms of modules on the event loop, which
meanwhile goes on drawing and taking keys. (Started earlier, before the first
frame, the import shares the one GIL with building that frame and delays it
about as much as it saves later.)

httpx also imports its command-line tool (``httpx._main``: click, pygments,
rich's syntax highlighting) whenever click is installed, which the server
extra does: about a third of httpx's import, for a tool tmtui never runs.
:func:`httpx_module` registers a stand-in first; ``httpx.main()`` still works
(it imports the real tool then), and so does any other name asked of it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

_HTTPX_CLI = "httpx._main"
# What the first request imports: httpx, its transport's httpcore (imported when a
# client is built), and the async backend httpcore picks at the first connection.
NETWORK_STACK = ("httpx", "httpcore", "anyio._backends._asyncio", "httpcore._backends.anyio")

_preloading: threading.Thread | None = None


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


class _Deferred(ModuleType):
    """Forwards attribute access to the module of the same name, imported on first use."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(importlib.import_module(self.__name__), name)


def _skip_httpx_cli() -> None:
    if "httpx" not in sys.modules and _HTTPX_CLI not in sys.modules:
        stand_in = _CliStandIn(_HTTPX_CLI)
        stand_in.main = _cli_main  # type: ignore[attr-defined]
        sys.modules[_HTTPX_CLI] = stand_in


def httpx_module() -> ModuleType:
    """:func:`lazy_module` ("httpx"), without importing its command-line tool."""
    _skip_httpx_cli()
    return lazy_module("httpx")


def lazy_module(name: str) -> ModuleType:
    """``name`` if it is imported already, else a stand-in that imports it on first use."""
    module = sys.modules.get(name)
    if module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False):
        return module
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return _Deferred(name)


def _import_stack() -> None:
    for name in NETWORK_STACK:
        try:
            importlib.import_module(name)
        except Exception:  # the first request imports it again, and reports the error
            return


def preload() -> None:
    """Start importing the HTTP stack on a thread (once); the first request waits for it."""
    global _preloading
    if _preloading is not None or "httpcore._backends.anyio" in sys.modules:
        return
    _skip_httpx_cli()
    _preloading = threading.Thread(target=_import_stack, name="tmtui-preload-http", daemon=True)
    _preloading.start()


async def ready() -> None:
    """Return once a :func:`preload` under way is done, without holding up the event loop."""
    thread = _preloading
    if thread is not None and thread.is_alive():
        import asyncio  # loaded by then (the caller runs in its loop); not at start-up

        await asyncio.to_thread(thread.join)
