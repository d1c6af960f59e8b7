"""Saving an attachment when the network or the disk fails: one clear line, no
partial file, no temporary file left, and the next try works."""

from __future__ import annotations

from pathlib import Path

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_until

from .fakes import FakeFullDisk, FakeReadOnlyDir, FaultyTransport, cut_after
from .kit import (
    SIZE,
    build_app,
    live_inbox,
    record_notifications,
    rows_are,
    still_responds,
)

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 400  # 100 KB: several chunks


async def _reader_on_the_attachment(pilot, server, mailbox) -> None:
    from tmtui.ui.screens.reader import ReaderScreen

    await deliver(server.smtp_port, mailbox.address, build_mail(
        mailbox.address, subject="has a file", attachments=[("big.pdf", PDF, "application/pdf")]))
    await rows_are(pilot, mailbox, ["has a file"])
    await pilot.press("enter")
    await screen_until(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen)
                       and pilot.app.screen.rendered is not None)


async def _save_fails(pilot, notes: list[str], says: str, downloads: Path) -> None:
    await pilot.press("a")
    await screen_until(pilot, lambda: any(n.startswith("error") for n in notes))
    errors = [n for n in notes if n.startswith("error")]
    assert len(errors) == 1 and says in errors[0] and "\n" not in errors[0], notes
    left = sorted(p.name for p in downloads.iterdir()) if downloads.is_dir() else []
    assert left == [], f"debris after a failed save: {left}"
    notes.clear()


async def _save_works(pilot, downloads: Path) -> None:
    await pilot.press("a")
    await screen_until(pilot, lambda: (downloads / "big.pdf").exists())
    assert (downloads / "big.pdf").read_bytes() == PDF
    assert sorted(p.name for p in downloads.iterdir()) == ["big.pdf"]


async def test_connection_reset_mid_attachment_leaves_no_partial_file(server, downloads) -> None:
    faulty = FaultyTransport()
    app = build_app(server.base_url, downloads, faulty=faulty)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await _reader_on_the_attachment(pilot, server, mailbox)
        faulty.inject("fetch_attachment", cut_after(30_000))
        await _save_fails(pilot, notes, "Cannot reach the server", downloads)
        assert faulty.injected == ["fetch_attachment"]
        await _save_works(pilot, downloads)
        await still_responds(pilot)


async def test_read_only_download_dir_is_one_line_and_nothing_is_written(server, downloads) -> None:
    downloads.mkdir()
    app = build_app(server.base_url, downloads)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await _reader_on_the_attachment(pilot, server, mailbox)
        with FakeReadOnlyDir(downloads) as read_only:
            await _save_fails(pilot, notes, f"Permission denied: {downloads}", downloads)
        assert read_only.refused == 1
        await _save_works(pilot, downloads)
        await still_responds(pilot)


async def test_download_dir_that_is_a_file(server, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"x")
    app = build_app(server.base_url, blocker)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await _reader_on_the_attachment(pilot, server, mailbox)
        await pilot.press("a")
        await screen_until(pilot, lambda: any(n.startswith("error") for n in notes))
        errors = [n for n in notes if n.startswith("error")]
        assert len(errors) == 1 and str(blocker) in errors[0] and "\n" not in errors[0], errors
        assert blocker.read_bytes() == b"x"  # untouched
        await still_responds(pilot)


async def test_full_disk_is_one_line_and_leaves_no_temporary_file(server, downloads) -> None:
    downloads.mkdir()
    app = build_app(server.base_url, downloads)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await _reader_on_the_attachment(pilot, server, mailbox)
        with FakeFullDisk(downloads) as disk:
            await _save_fails(pilot, notes, "No space left on device", downloads)
        assert disk.refused >= 1
        await _save_works(pilot, downloads)
        await still_responds(pilot)
