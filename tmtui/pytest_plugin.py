"""pytest plugin: the embedded reference server and throwaway mailboxes for sign-up tests.

Installed with ``pip install 'tmtui[pytest]'`` (entry point ``pytest11``), so
these fixtures are there in every test:

- ``tmtui_server`` (session): the reference server (HTTP + SSE + SMTP) on free
  loopback ports, on a thread of its own, with a temporary data directory:
  ``base_url``, ``smtp_host``, ``smtp_port``, ``domains``. Point the code under
  test's SMTP settings at it. Rate limits are off and there is no welcome mail.
- ``temp_mailbox`` (function): a new :class:`tmtui.Mailbox` on ``tmtui_server``,
  or on the service given with ``--tmtui-server URL``; closed after the test.
  It is never saved in the user's state file; its label is the test's node id.

    def test_sign_up(tmtui_server, temp_mailbox):
        app = make_app(smtp=(tmtui_server.smtp_host, tmtui_server.smtp_port))
        app.sign_up(temp_mailbox.address)
        assert app.confirm(temp_mailbox.wait_for_code(timeout=30))

``-p no:tmtui.pytest_plugin`` turns it off. Nothing heavy is imported until a
fixture is used (the server needs the ``server`` extra, which ``pytest`` pulls).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tmtui.pyapi import Mailbox

__all__ = ["TmtuiServer", "temp_mailbox", "tmtui_server"]


@dataclass(frozen=True, slots=True)
class TmtuiServer:
    """Where the embedded reference server listens."""

    base_url: str  # the API base URL, for Mailbox.create(server=...)
    smtp_host: str
    smtp_port: int
    domains: tuple[str, ...]  # the domains it accepts mail for (the first is the default)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tmtui", "tmtui disposable mailboxes")
    group.addoption("--tmtui-server", metavar="URL", default=None,
                    help="temp_mailbox uses this TempMail MMO server instead of the embedded one")


@pytest.fixture(scope="session")
def tmtui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmtuiServer]:
    """The embedded reference server for this test session (one per xdist worker)."""
    try:
        from tmtui.server.config import ServerConfig
        from tmtui.server.runner import ServerThread
    except ImportError as exc:  # the server extra is missing
        raise pytest.UsageError(f"tmtui_server needs the server: pip install 'tmtui[pytest]' ({exc})") from None
    config = ServerConfig(data_dir=tmp_path_factory.mktemp("tmtui-server"), welcome_mail=False,
                          requests_per_minute=0, creations_per_minute=0, sessions_per_ip=0, sse_per_ip=500)
    with ServerThread(config) as running:
        yield TmtuiServer(running.base_url, running.smtp_host, running.smtp_port, config.domains)


@pytest.fixture
def temp_mailbox(request: pytest.FixtureRequest) -> Iterator[Mailbox]:
    """A new mailbox on ``--tmtui-server URL``, else on ``tmtui_server``; closed after the test."""
    from tmtui.pyapi import Mailbox

    url: str | None = request.config.getoption("tmtui_server")
    if url is None:
        url = request.getfixturevalue("tmtui_server").base_url
    with Mailbox.create(server=url, label=request.node.nodeid) as box:
        yield box
