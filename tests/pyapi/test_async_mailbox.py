"""AsyncMailbox against the real reference server, with real SMTP delivery."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.mail import build_mail, deliver
from tmtui import AsyncMailbox, Message
from tmtui.pyapi import AddressInUse, Attachment, MailboxLost, NotFound

from .mail import note, otp_mail

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


async def test_create_gives_the_named_address_on_the_server(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url, name="alice", domain="b.test",
                                         label="ci") as box:
        assert (box.address, box.server, box.label) == ("alice@b.test", server.base_url, "ci")
        assert await box.messages() == []
        assert server.control.create_mailbox("alice@b.test") == "alice@b.test"  # it exists there


async def test_wait_returns_the_whole_message_sanitised(server: ReferenceServer, tmp_path: Path) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        html = ("<p>Hi \x1b]0;pwned\x07there\u202e, your code is <b>482913</b>.\x1b[2J</p>"
                '<a href="https://x.test/verify?t=1">Verify</a>')
        raw = build_mail(box.address, subject="Code \x1b[31mred\x1b[0m", html=html,
                         sender="Acme <no-reply@acme.test>", attachments=[("report.pdf", b"%PDF-1.4 x")])
        await deliver(server.smtp_port, box.address, raw)
        message = await box.wait(timeout=30)
    assert isinstance(message, Message)
    assert message.sender == "Acme <no-reply@acme.test>"
    assert message.subject.startswith("Code ") and "\x1b" not in message.subject
    assert (message.code, message.link) == ("482913", "https://x.test/verify?t=1")
    assert message.links[0] == "https://x.test/verify?t=1"
    assert "482913" in message.text and "<b>482913</b>" in message.html
    assert message.attachments == (Attachment("report.pdf", 10, "application/pdf"),)
    assert message.date.tzinfo == UTC
    for value in (message.subject, message.text, message.html):
        assert not CONTROL.search(value.replace("\n", "").replace("\t", "")), value


async def test_wait_sees_mail_stored_before_the_watcher_first_listed(server: ReferenceServer) -> None:
    """The mail lands the instant the mailbox exists: it is in the first listing (the
    baseline), and still counts as new because it is unread and not older than the start."""
    async with await AsyncMailbox.create(server=server.base_url) as box:
        server.control.deliver(box.address, otp_mail(box.address, "730519"))  # before any await
        assert await box.wait_for_code(timeout=30) == "730519"


async def test_wait_sees_mail_that_races_the_stream_opening(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        waiting = asyncio.create_task(box.wait_for_code(timeout=30))
        await server.control.wait_streams(1, address=box.address, timeout=20)
        server.control.deliver(box.address, otp_mail(box.address, "640213"))
        assert await waiting == "640213"


async def test_mail_that_came_long_before_the_call_is_still_returned(server: ReferenceServer) -> None:
    """Sign up first, wait later: the watcher took its baseline when the mailbox was made,
    so a mail stored before ``wait`` was called is new however old it is by then (its
    server time is set a minute back here; a baseline taken by the call would miss it)."""
    async with await AsyncMailbox.create(server=server.base_url) as box:
        await server.control.wait_streams(1, address=box.address, timeout=20)
        server.control.advance_clock(-60)
        await deliver(server.smtp_port, box.address, otp_mail(box.address, "111222"))
        server.control.advance_clock(60)
        assert [m.subject for m in await box.messages()] == ["Your code"]  # known before the call
        assert await box.wait_for_code(timeout=30) == "111222"


async def test_each_mail_is_returned_once_oldest_first(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        await deliver(server.smtp_port, box.address, note(box.address, "one"))
        await deliver(server.smtp_port, box.address, note(box.address, "two"))
        assert (await box.wait(timeout=30)).subject == "one"
        assert (await box.wait(timeout=30)).subject == "two"
        with pytest.raises(TimeoutError):
            await box.wait(timeout=0.3)


async def test_wait_filters_on_sender_and_subject_and_leaves_the_rest(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        to = box.address
        await deliver(server.smtp_port, to, otp_mail(to, "100001", subject="Sign in to Acme"))
        await deliver(server.smtp_port, to, otp_mail(to, "100002", subject="Your receipt",
                                                     sender="GitHub <noreply@github.com>"))
        await deliver(server.smtp_port, to, otp_mail(to, "100003", subject="SIGN-IN code",
                                                     sender="GitHub <noreply@github.com>"))
        assert await box.wait_for_code(30, sender=r"@github\.com$", subject="^sign.in") == "100003"
        assert (await box.wait(30, subject=re.compile("receipt"))).code == "100002"
        assert (await box.wait(30)).code == "100001"  # passed over by the others, still there


async def test_wait_for_code_times_out_with_timeout_error(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        await deliver(server.smtp_port, box.address, note(box.address, "Newsletter"))
        with pytest.raises(TimeoutError, match=r"no matching mail with a code in .* within 0\.5 s"):
            await box.wait_for_code(timeout=0.5)
        assert (await box.wait(timeout=30)).subject == "Newsletter"  # skipped, not consumed


async def test_wait_for_link_gives_the_confirmation_link(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        html = ('<p>Welcome! <a href="https://click.mail.test/ls/click?upn=Xy7">Confirm your email</a></p>'
                '<p><a href="https://mail.test/help">Help</a> <a href="https://mail.test/unsub">Unsubscribe</a></p>')
        await deliver(server.smtp_port, box.address, build_mail(box.address, subject="Confirm", html=html))
        assert await box.wait_for_link(timeout=30) == "https://click.mail.test/ls/click?upn=Xy7"


async def test_read_save_and_delete(server: ReferenceServer, tmp_path: Path) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        raw = build_mail(box.address, subject="Invoice", attachments=[
            ("../../invoice.pdf", b"%PDF-1.4 invoice"), ("notes.txt", b"plain notes", "text/plain")])
        await deliver(server.smtp_port, box.address, raw)
        message = await box.wait(timeout=30)
        out = tmp_path / "out"
        first = await box.save(message, out)
        again = await box.save(message.id, out)
        assert [p.parent for p in [*first, *again]] == [out] * 4  # never outside it
        assert [p.name for p in first] == ["_.._invoice.pdf", "notes.txt"]
        assert [p.name for p in again] == ["_.._invoice (1).pdf", "notes (1).txt"]
        assert [p.read_bytes() for p in again] == [b"%PDF-1.4 invoice", b"plain notes"]
        [summary] = await box.messages()
        assert (summary.id, summary.subject, summary.read, summary.has_attachments) == (
            message.id, "Invoice", True, True)
        assert (await box.read(summary)).attachments == message.attachments
        assert await box.delete(message) is True
        assert await box.delete(message) is False
        assert await box.messages() == []
        with pytest.raises(NotFound):
            await box.read(message.id)


async def test_open_takes_over_and_the_first_owner_learns_it(server: ReferenceServer) -> None:
    first = await AsyncMailbox.create(server=server.base_url, name="shared", domain="a.test")
    try:
        await deliver(server.smtp_port, first.address, note(first.address, "old"))
        server.control.advance_clock(120)  # the old mail is two minutes old
        waiting = asyncio.create_task(first.wait(timeout=30, subject="never"))
        with pytest.raises(AddressInUse):
            await AsyncMailbox.open("shared@a.test", server=server.base_url)
        async with await AsyncMailbox.open("Shared@A.test", server=server.base_url, takeover=True) as second:
            with pytest.raises(MailboxLost) as lost:
                await waiting
            assert lost.value.reason == "takeover"
            await deliver(server.smtp_port, second.address, note(second.address, "new"))
            assert (await second.wait(timeout=30)).subject == "new"  # not the old one
    finally:
        await first.aclose()


async def test_polling_when_the_stream_is_refused(server: ReferenceServer) -> None:
    from tmtui.config import Config

    server.control.refuse_sse(503)
    config = Config(poll_min_seconds=1.0, poll_max_seconds=1.0)
    async with await AsyncMailbox.create(server=server.base_url, config=config) as box:
        await deliver(server.smtp_port, box.address, otp_mail(box.address, "551234"))
        assert await box.wait_for_code(timeout=30) == "551234"
        assert server.control.stream_count() == 0


async def test_a_lost_session_is_recovered_while_waiting(server: ReferenceServer) -> None:
    async with await AsyncMailbox.create(server=server.base_url) as box:
        waiting = asyncio.create_task(box.wait_for_code(timeout=30))
        await server.control.wait_streams(1, address=box.address, timeout=20)
        server.control.invalidate_session(box.address)  # session_lost on the stream, 401 on every call
        await deliver(server.smtp_port, box.address, otp_mail(box.address, "381924"))
        assert await waiting == "381924"


async def test_persist_saves_in_the_state_file_and_open_reuses_the_session(
        server: ReferenceServer, tmp_path: Path) -> None:
    state = tmp_path / "state" / "sessions.json"  # TMTUI_STATE_DIR (tests/conftest.py)
    async with await AsyncMailbox.create(server=server.base_url, name="temp", domain="a.test") as box:
        pass
    assert not state.exists()  # tests leave the user's mailboxes alone by default
    async with await AsyncMailbox.create(server=server.base_url, name="kept", domain="a.test",
                                         persist=True) as box:
        address = box.address
    saved = json.loads(state.read_text())["mailboxes"]
    assert [entry["address"] for entry in saved] == [address]
    # The first session is still alive: without the saved token this would be a 409.
    async with await AsyncMailbox.open(address, server=server.base_url, persist=True) as again:
        assert again.address == address


async def test_a_label_is_saved_with_persist_and_comes_back_on_open(server: ReferenceServer, tmp_path: Path) -> None:
    state = tmp_path / "state" / "sessions.json"
    async with await AsyncMailbox.create(server=server.base_url, name="labelled", domain="a.test",
                                         label="ci sign-up", persist=True) as box:
        address = box.address
    assert [(m["address"], m["label"]) for m in json.loads(state.read_text())["mailboxes"]] == [
        (address, "ci sign-up")]
    async with await AsyncMailbox.open(address, server=server.base_url, persist=True) as again:
        assert again.label == "ci sign-up"  # the saved one
    async with await AsyncMailbox.open(address, server=server.base_url, persist=True, label="renamed") as again:
        assert again.label == "renamed"
    assert json.loads(state.read_text())["mailboxes"][0]["label"] == "renamed"
    async with await AsyncMailbox.create(server=server.base_url, label="not kept") as box:
        pass
    assert len(json.loads(state.read_text())["mailboxes"]) == 1  # without persist: nothing written


@pytest.mark.parametrize(("options", "problem"), [
    ({"name": "No"}, "is not valid"),
    ({"domain": "nowhere.test"}, "unknown domain"),
    ({"server": "ftp://example.test"}, "http:// or https://"),
])
async def test_bad_input_is_refused_before_anything_is_created(
        server: ReferenceServer, options: dict[str, str], problem: str) -> None:
    arguments = {"server": server.base_url, **options}
    with pytest.raises(ValueError, match=problem):
        await AsyncMailbox.create(**arguments)  # type: ignore[arg-type]
