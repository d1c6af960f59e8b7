"""``s`` in the reader: the body saved as text, Markdown or HTML into the download dir.

Real app, real server, real SMTP; the files are read back from the test's download dir.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_until, store_until
from tmtui import maildoc
from tmtui.ui.dialogs.save_body import SaveBodyDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

HTML = ('<h2>Welcome</h2><p>Your verification code is <b>482913</b>.</p>'
        '<p><a href="https://acme.test/verify?t=abc">Verify email</a></p>'
        '<img src="https://tracker.test/pixel.gif">')


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _read(app, server, pilot, subject: str, html: str = HTML) -> ReaderScreen:
    store = app.store
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    address = store.mailboxes[0].address
    await deliver(server.smtp_port, address, build_mail(address, subject=subject, html=html))
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
    await pilot.press("enter")
    await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def _saved(app) -> set[Path]:
    return {Path(t.removeprefix("Saved ")) for t in _toasts(app) if t.startswith("Saved ")}


async def _save(app, pilot, key: str) -> Path:
    """Press s then ``key``; the path the new "Saved" toast names."""
    before = _saved(app)
    await pilot.press("s")
    await screen_until(pilot, lambda: isinstance(app.screen, SaveBodyDialog))
    await pilot.press(key)
    await screen_until(pilot, lambda: bool(_saved(app) - before))
    [path] = _saved(app) - before
    return path


async def test_s_saves_markdown_text_and_the_html_as_received_never_overwriting(
        make_app, server, downloads: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _read(app, server, pilot, "Welcome to Acme")
        assert reader.message is not None and reader.rendered is not None
        markdown = await _save(app, pilot, "m")
        assert markdown == downloads.absolute() / "Welcome to Acme.md"
        headers = maildoc.fields(reader.address, reader.message, reader.rendered)
        # The same document `tmtui read --markdown` prints.
        assert markdown.read_text(encoding="utf-8") == maildoc.markdown(headers, reader.rendered)
        assert "**Code:** 482913" in markdown.read_text() and "## Welcome" in markdown.read_text()

        again = await _save(app, pilot, "m")
        assert again == downloads.absolute() / "Welcome to Acme (1).md"
        assert markdown.read_text(encoding="utf-8") == again.read_text(encoding="utf-8")

        text = await _save(app, pilot, "t")
        assert text.name == "Welcome to Acme.txt"
        content = text.read_text(encoding="utf-8")
        assert content.startswith("From: Sender <sender@example.org>\nTo: ")
        assert "Verify email [1]" in content and "**" not in content and "##" not in content

        html = await _save(app, pilot, "h")
        assert html.name == "Welcome to Acme.html"
        assert html.read_bytes() == reader.message.html.encode("utf-8")  # raw, not rendered
        assert '<img src="https://tracker.test/pixel.gif">' in html.read_text(encoding="utf-8")
        assert sorted(p.name for p in downloads.iterdir()) == [
            "Welcome to Acme (1).md", "Welcome to Acme.html", "Welcome to Acme.md", "Welcome to Acme.txt"]


async def test_the_name_from_a_hostile_subject_is_one_safe_capped_file_name(
        make_app, server, downloads: Path) -> None:
    subject = "-rf ../../etc/passwd \x1b]0;PWNED\x07 \u202eexe.txt " + "long " * 80
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _read(app, server, pilot, subject)
        path = await _save(app, pilot, "t")
    assert path.parent == downloads.absolute() and path.exists()
    name = path.name
    assert not name.startswith(("-", ".")) and name.endswith(".txt")
    assert "/" not in name and "\\" not in name
    assert all(ch.isprintable() and ch not in "\u202e\x1b\x07" for ch in name), name
    assert len(name) <= 90
    assert name.startswith("_-rf ..-..-etc-passwd"), name


async def test_escape_saves_nothing_and_an_unwritable_dir_says_why(make_app, server, downloads: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _read(app, server, pilot, "Keep me")
        await pilot.press("s")
        await screen_until(pilot, lambda: isinstance(app.screen, SaveBodyDialog))
        await pilot.press("escape")
        await screen_until(pilot, lambda: app.screen is reader)
        assert not downloads.exists() or not any(downloads.iterdir())

        downloads.write_text("a file where the download folder should be")
        await pilot.press("s")
        await screen_until(pilot, lambda: isinstance(app.screen, SaveBodyDialog))
        await pilot.press("t")
        await screen_until(pilot, lambda: any("exists" in t for t in _toasts(app)))
        assert not _saved(app)
