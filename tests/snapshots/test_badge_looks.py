"""Snapshots of the code badge on the cursor row, a marked row and new mail, per colour mode.

The scene's inbox plus two code mails: one marked, one arriving while the inbox
is open (new-mail highlight); the cursor stays on the Acme code mail. Each
snapshot is one theme or colour mode: dark, light, ANSI, a 16-colour terminal
(the colours downgraded as Rich does for TERM=xterm) and NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="snapshot scenes need the server extra")

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import LineFilter

from tests.support.scenes import SCENE_NOW, SCENE_SIZE, Scene, inbox_ready, scene, settle
from tests.support.waiting import screen_text, screen_until

MARKED_CODE, NEW_CODE = "719304", "550271"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))
    with scene(tmp_path / "downloads") as running:
        yield running


def _code_mail(to: str, code: str, minutes_ago: int) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Login <login@example.org>", to
    message["Subject"] = "Sign-in request"
    message["Date"] = format_datetime(SCENE_NOW - timedelta(minutes=minutes_ago))
    message["Message-ID"] = f"<{code}@example.org>"
    message.set_content(f"Your verification code is {code}.")
    return message.as_bytes()


def every_case(demo: Scene, theme: str):
    async def drive(pilot) -> None:
        from tmtui.ui.widgets.message_list import MessageList

        app = pilot.app
        app.theme = theme
        await inbox_ready(pilot)
        messages = app.screen.query_one(MessageList)
        demo.deliver(_code_mail(demo.address, MARKED_CODE, 240))
        await screen_until(pilot, lambda: MARKED_CODE in screen_text(pilot), what="the older code mail")
        messages.new_ids = frozenset()
        index = next(i for i, row in enumerate(messages.rows) if MARKED_CODE in row.excerpt)
        await pilot.press(*["j"] * index, "space", "g")
        demo.deliver(_code_mail(demo.address, NEW_CODE, 0))
        await screen_until(pilot, lambda: NEW_CODE in screen_text(pilot), what="the new code mail")
        await settle(pilot)

    return drive


class SixteenColours(LineFilter):
    """What a 16-colour terminal shows: each colour as Rich downgrades it, in a standard palette."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, _downgrade(style), control) for text, style, control in segments]


def _downgrade(style: Style | None) -> Style | None:
    if style is None:
        return None
    colours = [None if c is None else c.downgrade(ColorSystem.STANDARD).get_truecolor(DEFAULT_TERMINAL_THEME)
               for c in (style.color, style.bgcolor)]
    return style + Style.from_color(*(None if c is None else Color(*c).rich_color for c in colours))


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
def test_badge_in_theme(snap_compare, demo: Scene, theme: str) -> None:
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=every_case(demo, theme))


def test_badge_in_16_colours(snap_compare, demo: Scene) -> None:
    app = demo.app()
    app._filters.append(SixteenColours())
    assert snap_compare(app, terminal_size=SCENE_SIZE, run_before=every_case(demo, "textual-dark"))


def test_badge_with_no_color(snap_compare, demo: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # Textual reads it when the App is built
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=every_case(demo, "textual-dark"))
