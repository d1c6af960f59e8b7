"""tmtui's pytest plugin as a user's test suite sees it (pytester runs that suite in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tmtui import __version__

if TYPE_CHECKING:
    from tmtui.server.runner import ServerThread

PLUGIN = ("-p", "tmtui.pytest_plugin", "-p", "no:cacheprovider")

USER_SUITE = '''
import smtplib
import threading

from tmtui import Mailbox

SEEN = []


def send(server, to, body):
    with smtplib.SMTP(server.smtp_host, server.smtp_port) as smtp:
        smtp.sendmail("app@example.org", [to], b"Subject: Verify\\r\\n\\r\\n" + body + b"\\r\\n")


def test_sign_up(tmtui_server, temp_mailbox):
    assert isinstance(temp_mailbox, Mailbox)
    assert temp_mailbox.server == tmtui_server.base_url
    assert temp_mailbox.address.rpartition("@")[2] in tmtui_server.domains
    assert temp_mailbox.label == "test_user_suite.py::test_sign_up"
    send(tmtui_server, temp_mailbox.address, b"Your verification code is 918273")
    assert temp_mailbox.wait_for_code(timeout=30) == "918273"
    SEEN.append((tmtui_server.base_url, temp_mailbox.address))


def test_again(tmtui_server, temp_mailbox):
    assert temp_mailbox.messages() == []
    SEEN.append((tmtui_server.base_url, temp_mailbox.address))


def test_one_server_a_new_mailbox_each_closed_after_use():
    assert len({url for url, _ in SEEN}) == 1 and len({address for _, address in SEEN}) == 2
    assert not [t for t in threading.enumerate() if t.name == "tmtui-mailbox"]
'''

GIVEN_SERVER = '''
import os
import smtplib


def test_on_the_given_server(temp_mailbox, request):
    assert temp_mailbox.server == os.environ["GIVEN_URL"]
    with smtplib.SMTP("127.0.0.1", int(os.environ["GIVEN_SMTP_PORT"])) as smtp:  # refuses unknown mailboxes
        smtp.sendmail("app@example.org", [temp_mailbox.address], b"Subject: Hi\\r\\n\\r\\nCode: 551177\\r\\n")
    assert temp_mailbox.wait_for_code(timeout=30) == "551177"
    assert "tmtui_server" not in request.fixturenames  # no embedded server was started
'''


@pytest.fixture
def server_thread(tmp_path: Path) -> Iterator[ServerThread]:
    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ServerThread

    with ServerThread(ServerConfig(data_dir=tmp_path / "server", welcome_mail=False)) as running:
        yield running


def test_fixtures_in_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_suite=USER_SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=3)


def test_tmtui_server_option_uses_that_server(pytester: pytest.Pytester, server_thread: ServerThread,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIVEN_URL", server_thread.base_url)
    monkeypatch.setenv("GIVEN_SMTP_PORT", str(server_thread.smtp_port))
    pytester.makepyfile(test_given=GIVEN_SERVER)
    result = pytester.runpytest_subprocess(*PLUGIN, "--tmtui-server", server_thread.base_url)
    result.assert_outcomes(passed=1)


def test_the_option_is_in_pytest_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*PLUGIN, "--help")
    result.stdout.fnmatch_lines(["*--tmtui-server=URL*"])


def python(code: str) -> str:
    """What a fresh interpreter prints running ``code`` (it must succeed)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("module", ["tmtui", "tmtui.pytest_plugin"])
def test_importing_is_cheap(module: str) -> None:
    """Every pytest run loads the plugin, every CLI run imports tmtui: neither pulls in
    the client, the server or Textual until something is used."""
    loaded = python(f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith("
                    "('tmtui.', 'httpx', 'textual', 'starlette', 'uvicorn', 'aiosmtpd'))))")
    assert loaded == repr(["tmtui.pytest_plugin"] if module == "tmtui.pytest_plugin" else [])


def test_the_api_is_reached_from_the_package_lazily() -> None:
    assert python("import sys, tmtui; assert 'tmtui.pyapi' not in sys.modules; "
                  "from tmtui import AsyncMailbox, Mailbox, Message; import tmtui.pyapi as p; "
                  "assert (Mailbox, AsyncMailbox, Message) == (p.Mailbox, p.AsyncMailbox, p.Message); "
                  "assert {'Mailbox', 'AsyncMailbox', 'Message'} <= set(dir(tmtui)); print(tmtui.__version__)"
                  ) == __version__
