"""Theme choices are remembered; the terminal title carries counts, never mail content."""

from __future__ import annotations

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_until, store_until
from tmtui import state
from tmtui.ui import terminal


async def test_theme_chosen_in_the_app_is_remembered(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        app.theme = "nord"
        await screen_until(pilot, lambda: state.load_preferences().get("theme") == "nord")
    again = make_app()
    async with again.run_test(size=(100, 32)) as pilot:
        await screen_until(pilot, lambda: again.theme == "nord")


async def test_terminal_title_counts_unread_without_mail_content(make_app, server, monkeypatch) -> None:
    titles: list[str] = []
    monkeypatch.setattr(terminal, "set_title", lambda app, title: titles.append(title))
    app = make_app()
    async with app.run_test(size=(100, 32)):
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        address = store.mailboxes[0].address
        await deliver(server.smtp_port, address, build_mail(address, subject="SECRET-SUBJECT"))
        await store_until(store, lambda: store.mailboxes[0].unread == 1)
    assert "tmtui (1 unread)" in titles
    assert not any("SECRET" in t for t in titles)


def test_osc_payloads_cannot_carry_control_sequences() -> None:
    written: list[str] = []

    class FakeDriver:  # a stand-in for the terminal driver, to capture the bytes
        def write(self, data: str) -> None:
            written.append(data)

    class FakeApp:
        is_headless = False
        _driver = FakeDriver()

    terminal.desktop_notify(FakeApp(), "t\x1b]0;x\x07", "body\x07\x1b[2J;more\u009b31m")  # type: ignore[arg-type]
    terminal.set_title(FakeApp(), "tmtui\x1b]52;c;AAAA\x07")  # type: ignore[arg-type]
    for sequence in written:
        inner = sequence[2:-1] if sequence.endswith("\x07") else sequence[2:-2]
        assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in inner), repr(sequence)


async def test_a_burst_of_mail_is_one_or_two_toasts_not_one_each(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        address = store.mailboxes[0].address
        await deliver(server.smtp_port, address, build_mail(address, subject="first"))
        await store_until(store, lambda: len(store.mailboxes[0].messages) == 1)
        server.control.deliver_many(address, [build_mail(address, subject=f"burst {n}") for n in range(5)])
        await store_until(store, lambda: len(store.mailboxes[0].messages) == 6)

        def toasts() -> list[str]:
            return [str(n.message) for n in app._notifications if n.title.startswith("New mail")]

        def announced() -> int:  # mails the toasts told of: "subject (+N more)" is N + 1
            return sum(1 + int(t.rsplit("(+", 1)[1].split()[0]) if "(+" in t else 1 for t in toasts())

        await screen_until(pilot, lambda: announced() == 6, timeout=8)
        # "first", then the burst folded into one; or all six in one, when the burst's listing
        # came before the frame after which the first toast shows
        assert len(toasts()) in (1, 2)
