"""Snapshots of the picker with its All mailboxes row, and of the All mailboxes view.

The scene's mailbox (seeded, fixed clocks) and a second one, labelled "shop",
with one mail at a fixed server time: the view shows the label as a column and
the two mailboxes' mail interleaved, newest first.

    pytest tests/snapshots/test_all_mail_looks.py --snapshot-update   # accept a new look
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="snapshot scenes need the server extra")

from tests.support.mail import build_mail
from tests.support.scenes import SCENE_DOMAINS, SCENE_NOW, SCENE_SIZE, Scene, inbox_ready, scene, settle
from tests.support.waiting import screen_text, screen_until

SHOP = f"shop.order@{SCENE_DOMAINS[1]}"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))
    with scene(tmp_path / "downloads") as running:
        yield running


def _with_a_shop_mailbox(demo: Scene):  # type: ignore[no-untyped-def]
    async def drive(pilot) -> None:  # type: ignore[no-untyped-def]
        from tmtui.ui.screens.picker import PickerScreen

        app = pilot.app
        await inbox_ready(pilot)
        await app.sync.create_custom(*SHOP.split("@"), label="shop")
        # The list shows the server's time of arrival, not the Date header (which is today's).
        raw = build_mail(SHOP, subject="Your order #4471 has shipped", sender="Shop <orders@shop.example>")
        demo.server_clock.set(SCENE_NOW - timedelta(minutes=10))
        try:
            demo.server.control.deliver(SHOP, raw)
        finally:
            demo.server_clock.set(SCENE_NOW)
        await screen_until(pilot, lambda: len(app.store.get(SHOP).messages) == 1
                           and all(m.connection == "live" for m in app.store.mailboxes), what="the shop's mail")
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen)
                           and "All mailboxes (2)" in screen_text(pilot) and "● live" in screen_text(pilot))

    return drive


def test_picker_with_the_all_mailboxes_row(snap_compare, demo: Scene) -> None:
    drive = _with_a_shop_mailbox(demo)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await drive(pilot)
        await screen_until(pilot, lambda: screen_text(pilot).count("● live") == 2, what="both live")
        await settle(pilot)

    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=run_before)


def test_all_mailboxes_view(snap_compare, demo: Scene) -> None:
    from tmtui.ui.screens.all_mail import AllMailScreen

    drive = _with_a_shop_mailbox(demo)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await drive(pilot)
        await pilot.press("g", "enter")
        await screen_until(pilot, lambda: isinstance(pilot.app.screen, AllMailScreen)
                           and "Your order #4471" in screen_text(pilot), what="the All mailboxes view")
        await settle(pilot)

    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=run_before)
