"""build_app: the one place an App is built, and cheap to import."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tmtui.api.errors import ApiError
from tmtui.api.secret import Secret
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.state import SavedMailbox


async def test_the_app_gets_a_client_made_from_the_config_and_every_option(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    transport = httpx.MockTransport(answer)
    config = Config(server="http://example.test/tool", download_dir=tmp_path, lang="vi", timeout=11.0)
    saved = [SavedMailbox("a@b.test", Secret("tok"), datetime(2026, 1, 1, tzinfo=UTC))]

    app = build_app(config, saved=saved, start_address="a@b.test", warnings=["careful"],
                    persist=False, banner="Demo", transport=transport)

    assert app.config is config
    assert (app.saved, app.start_address, app.startup_warnings, app.persist, app.banner) == (
        saved, "a@b.test", ["careful"], False, "Demo")
    client = app.sync.client
    assert (client.base_url, client.timeout, client.lang) == ("http://example.test/tool", 11.0, "vi")
    with contextlib.suppress(ApiError):  # the answer does not matter, where the request went does
        await client.get_email_address()
    assert [(r.url.host, r.url.path) for r in seen] == [("example.test", "/tool/ajax.php")]
    assert b"lang=vi" in seen[0].content
    await client.aclose()


async def test_defaults_are_the_users_run() -> None:
    app = build_app(Config(server="http://example.test"))
    assert (app.saved, app.start_address, app.startup_warnings, app.persist, app.banner) == (
        None, None, [], True, None)  # saved None: the sync core reads this server's from the state file
    await app.sync.close()


def test_importing_the_builder_loads_neither_textual_nor_the_client() -> None:
    code = ("import sys, tmtui.builder; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'httpx')"
            " or m.startswith(('tmtui.api', 'tmtui.ui'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr


def test_building_the_app_imports_no_http_stack_until_the_first_request() -> None:
    """The first frame needs no HTTP: httpx, httpcore and h11 are imported when the client
    first sends (tmtui.api.lazy), not when it is built (a fifth of start-up); httpx's own
    command-line tool (click, pygments, when installed) never."""
    code = ("import sys, types; from tmtui.builder import build_app; from tmtui.config import Config\n"
            "wanted = ('httpx', 'httpcore', 'h11', 'httpx_sse', 'click', 'pygments')\n"
            "def loaded():  # really imported: not a lazy module, not a stand-in\n"
            "    return sorted({m.split('.')[0] for m, module in sys.modules.items()\n"
            "                   if m.split('.')[0] in wanted and type(module) is types.ModuleType})\n"
            "app = build_app(Config(server='http://example.test'), persist=False)\n"
            "print(loaded())\n"
            "app.sync.client.http\n"  # what the first request does first
            "print(loaded())\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (0, "[]\n['h11', 'httpcore', 'httpx']\n"), result.stderr
