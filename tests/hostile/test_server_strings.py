"""Issue 12.1: strings the server sends outside any mail never reach the terminal or the clipboard.

A hostile server (or a man in the middle of an ``http://`` base URL) controls
the mailbox address, the domain list, error texts and headers. The client
refuses an address or domain that breaks the address grammar, with a clear
one-line ProtocolError; error texts and headers are defused; and whatever is
copied goes through the copy filter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.waiting import screen_text, until
from tmtui.api.client import TempMailClient
from tmtui.api.errors import ApiError, ProtocolError
from tmtui.api.secret import Secret
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.humanize import describe
from tmtui.safety import copy_safe, is_address
from tmtui.state import SavedMailbox

from .corpus import SERVER_CASES, ServerCase
from .fakes import FakeHostileServer
from .runner import OWN_WRITE
from .screen import FORBIDDEN, terminal_problems

SIZE = (100, 30)
# A copied address, code or link: nothing a terminal or a shell acts on.
PASTE_UNSAFE = re.compile(rf"{FORBIDDEN.pattern}|[\r\n\t]")


async def _ask(client: TempMailClient, case: ServerCase) -> object:
    if case.route == "get_domains":
        return await client.get_domains()
    return await client.get_email_address()


@pytest.mark.parametrize("case", SERVER_CASES, ids=[c.id for c in SERVER_CASES])
async def test_the_client_refuses_or_defuses_every_lie(case: ServerCase, server) -> None:
    async with TempMailClient(server.base_url, transport=FakeHostileServer(case)) as client:
        try:
            answer = await _ask(client, case)
        except ProtocolError as exc:
            assert case.refused, f"refused an answer that should be defused: {exc}"
            text = describe(exc)
            assert "\n" not in text and not FORBIDDEN.search(text)
            # Says what and where in words (issue 11: no internal action names on screen),
            # never the value.
            assert "field" in text and case.route not in text and "(" in text
            return
        except ApiError as exc:
            assert not case.refused, f"{case.what}: should be a ProtocolError, got {exc!r}"
            text = describe(exc)
            assert not FORBIDDEN.search(text) and "\n" not in text
            assert exc.server_error is None or not FORBIDDEN.search(exc.server_error)
            assert "Bad request" in text or "Try later" in text or text.startswith("The server")
            return
        assert not case.refused, f"{case.what}: accepted {answer!r}"
        address = getattr(answer, "address", None)
        assert address is None or is_address(address)


def test_the_address_grammar() -> None:
    for good in ["k3x9@a.test", "first.last@b.test", "a_b-c+d@sub.a.test", "x@localhost"]:
        assert is_address(good), good
    for bad in ["x\x1b]0;PWNED\x07@b.test", "x@b.test\r", "a b@b.test", "a@b test", "@b.test", "a@",
                "a@-b.test", "a..b@b.test", ".a@b.test", "a@b..test", "a@b.test.", "ad\u200bmin@b.test",
                "admin\u202e@b.test", "p\u0430ypal@b.test", "a@p\u0430ypal.test", "$(reboot)@b.test",
                "a`id`@b.test", "a;b@b.test", "a@" + "x" * 64 + ".test", "x" * 65 + "@b.test"]:
        assert not is_address(bad), repr(bad)


async def _first_run(case: ServerCase, server, tmp_path: Path) -> tuple[object, list[str], list[str]]:
    """Start tmtui with no saved mailbox on the lying server: it creates one at once."""
    from tmtui.ui import terminal

    app = build_app(Config(server=server.base_url, download_dir=tmp_path / "downloads"),
                    saved=(), persist=False, transport=FakeHostileServer(case))
    notes: list[str] = []
    real_notify = app.notify

    def notify(message: object, *args: object, **kwargs: object) -> None:
        notes.append(str(message))
        real_notify(message, *args, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    writes: list[str] = []
    real_write = terminal._write
    terminal._write = lambda _app, sequence: writes.append(sequence)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: any("server" in n.lower() for n in notes), 20, what="the error toast")
            await pilot.pause(0.2)
            problems = terminal_problems(app)
            assert not problems, problems
            assert "PWNED" not in screen_text(pilot)
            assert not app.store.mailboxes  # nothing adopted from a refused answer
    finally:
        terminal._write = real_write
    return app, notes, writes


@pytest.mark.parametrize("case", [c for c in SERVER_CASES if c.route == "get_email_address"
                                  and c.header is None][:8] + [c for c in SERVER_CASES if c.id == "error-osc"],
                         ids=lambda c: c.id)
async def test_a_lie_on_first_run_reaches_neither_toast_nor_title(case: ServerCase, server, tmp_path) -> None:
    """The "Created x<OSC 0>@b.test" toast set the terminal title before any key was pressed."""
    _app, notes, writes = await _first_run(case, server, tmp_path)
    for note in notes:
        assert not FORBIDDEN.search(note) and "\n" not in note, note
    assert not any("Created" in n for n in notes), notes
    assert all(OWN_WRITE.fullmatch(w) for w in writes), writes


async def test_y_in_the_picker_copies_only_inert_text(server, tmp_path: Path) -> None:
    """Whatever an address holds (here one that never came from the API), y copies it filtered."""
    from tmtui.ui.screens.picker import PickerScreen

    hostile = "x\x1b[201~;touch /tmp/pwned\r@b.test"
    app = build_app(Config(server=server.base_url, download_dir=tmp_path / "downloads"),
                    saved=[SavedMailbox(hostile, Secret("t" * 32))], persist=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.screen, PickerScreen) and app.screen.selected is not None, 15,
                    what="the picker with the saved row")
        await pilot.press("y")
        await pilot.pause(0.1)
        copied = app.clipboard
        assert copied == copy_safe(hostile) and not PASTE_UNSAFE.search(copied)
        assert "\x1b" not in copied and "\r" not in copied


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_copy_safe_output_is_inert_for_any_input(raw: str, single_line: bool) -> None:
    out = copy_safe(raw, single_line=single_line)
    allowed = "" if single_line else "\n\t"
    assert not FORBIDDEN.search("".join(c for c in out if c not in allowed))
    assert copy_safe(out, single_line=single_line) == out
    if single_line:
        assert out == out.strip() and not re.search(r"\s\s|[\n\t\r\x0b\x0c\x1c-\x1f\x85]", out)


def test_a_planted_state_entry_with_an_impossible_address_is_skipped(tmp_path: Path) -> None:
    from tmtui import state

    directory = tmp_path / "state"
    directory.mkdir(mode=0o700)
    path = directory / "sessions.json"
    path.write_text('{"version": 2, "mailboxes": [{"address": "x\\u001b]0;PWNED\\u0007@b.test", '
                    '"sid_token": "t"}, {"address": "ok@b.test", "sid_token": "u"}]}')
    loaded, warning = state.load(path)
    assert [m.address for m in loaded] == ["ok@b.test"] and warning is None
