"""tmtui.api.lazy: the HTTP stack loads on first use, or on a thread ahead of it (preload)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tmtui.api
from tmtui.api import lazy


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


LOADED = ("def loaded(*names):\n"
          "    return sorted(n for n in names if type(sys.modules.get(n)) is types.ModuleType)\n")


def test_a_small_module_of_the_package_does_not_load_the_client() -> None:
    """The state file needs Secret, start-up needs lazy: neither brings the client and its parsers."""
    out = run("import sys, tmtui.api.secret, tmtui.api.lazy\n"
              "print(sorted(m for m in sys.modules if m.startswith('tmtui.api.')))")
    assert out == "['tmtui.api.lazy', 'tmtui.api.secret']\n"


def test_the_package_still_offers_every_name() -> None:
    from tmtui.api import ApiError, Secret, TempMailClient, mailbox_events

    assert TempMailClient.__module__ == "tmtui.api.client" and Secret("x").reveal() == "x"
    assert issubclass(tmtui.api.TransportError, ApiError) and callable(mailbox_events)
    assert set(tmtui.api.__all__) <= set(dir(tmtui.api))
    with pytest.raises(AttributeError):
        tmtui.api.NoSuchName  # noqa: B018


def test_preload_imports_the_stack_on_a_thread_and_ready_waits_for_it() -> None:
    out = run("import asyncio, sys, threading, types\n" + LOADED +
              "from tmtui.api import lazy\n"
              "print(loaded('httpx', 'httpcore', 'h11', 'anyio'))\n"
              "lazy.preload()\n"
              "importer = lazy._preloading\n"
              "print(importer is not threading.current_thread())\n"
              "asyncio.run(lazy.ready())\n"
              "print(importer.is_alive(), loaded('httpx', 'httpcore', 'h11', 'anyio', 'click'))\n")
    # Never httpx's command-line tool (click), even when installed: the stand-in holds its place.
    assert out == "[]\nTrue\nFalse ['anyio', 'h11', 'httpcore', 'httpx']\n"


def test_the_stand_in_waits_for_an_import_under_way_elsewhere() -> None:
    """Used at once after preload (the import may be half done on the thread): never a half module."""
    out = run("import asyncio, sys, types\n"
              "from tmtui.api import lazy\n"
              "httpx = lazy.httpx_module()\n"
              "lazy.preload()\n"
              "client = httpx.AsyncClient(verify=False)\n"
              "print(type(client).__module__, isinstance(httpx.ConnectError('x'), httpx.HTTPError))\n"
              "asyncio.run(client.aclose())\n")
    assert out == "httpx True\n"


async def test_ready_without_a_preload_returns_at_once() -> None:
    if lazy._preloading is None:
        await lazy.ready()  # nothing to wait for
    assert lazy.lazy_module("json").dumps([1]) == "[1]"
    with pytest.raises(ModuleNotFoundError):
        lazy.lazy_module("tmtui_no_such_module")
