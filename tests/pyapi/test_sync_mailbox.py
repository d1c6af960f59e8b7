"""The blocking Mailbox from plain synchronous code (no event loop in the test)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.mail import build_mail, deliver_sync
from tmtui import Mailbox

from .mail import note, otp_mail

if TYPE_CHECKING:
    from tmtui.server.runner import ServerThread


@pytest.fixture
def server_thread(tmp_path: Path) -> Iterator[ServerThread]:
    """The reference server on a thread of its own, as a sync test (or a user's script) has it."""
    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ServerThread

    with ServerThread(ServerConfig(data_dir=tmp_path / "server", welcome_mail=False)) as running:
        yield running


def mailbox_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tmtui-mailbox"]


def test_the_issue_example_runs_as_written(server_thread: ServerThread, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # plain sync code: no loop here
    with Mailbox.create(server=server_thread.base_url, label="ci") as box:
        raw = build_mail(box.address, subject="Please verify", sender="Acme <no-reply@acme.test>",
                         html="<p>Your verification code is <b>482913</b></p>",
                         attachments=[("terms.txt", b"the terms", "text/plain")])
        deliver_sync(server_thread.smtp_port, box.address, raw)
        msg = box.wait(subject=r"verify", timeout=60)
        assert (msg.subject, msg.code) == ("Please verify", "482913")
        deliver_sync(server_thread.smtp_port, box.address, otp_mail(box.address, "735190"))
        assert box.wait_for_code(timeout=60) == "735190"
        assert [p.read_bytes() for p in box.save(msg, tmp_path / "attachments")] == [b"the terms"]
        assert box.delete(msg) is True
        assert [m.code for m in [box.read(s) for s in box.messages()]] == ["735190"]


def test_the_stream_stays_open_between_calls(server_thread: ServerThread) -> None:
    """One loop per Mailbox, alive between calls: the mailbox's event stream is open while
    the caller does other things, so nothing that arrives then depends on a time cutoff."""
    control = server_thread.control
    with Mailbox.create(server=server_thread.base_url) as box:
        deliver_sync(server_thread.smtp_port, box.address, otp_mail(box.address, "100200"))
        assert box.wait_for_code(timeout=30) == "100200"
        assert control.stream_count(box.address) == 1  # no call is running now
        deliver_sync(server_thread.smtp_port, box.address, otp_mail(box.address, "300400"))
        assert box.wait_for_code(timeout=30) == "300400"
        assert control.stream_count(box.address) == 1
    assert not mailbox_threads()


def test_wait_for_code_timeout_raises_timeout_error(server_thread: ServerThread) -> None:
    with Mailbox.create(server=server_thread.base_url) as box:
        deliver_sync(server_thread.smtp_port, box.address, note(box.address, "no code"))
        with pytest.raises(TimeoutError, match=r"within 0\.3 s"):
            box.wait_for_code(timeout=0.3)
        assert box.wait(timeout=30).subject == "no code"  # the box still works after a timeout


def test_open_close_and_errors_cross_the_thread(server_thread: ServerThread) -> None:
    first = Mailbox.create(server=server_thread.base_url, name="sync.user", domain="a.test")
    try:
        from tmtui.pyapi import AddressInUse

        with pytest.raises(AddressInUse):
            Mailbox.open("sync.user@a.test", server=server_thread.base_url)
        assert len(mailbox_threads()) == 1  # the failed open stopped its loop
        with Mailbox.open("sync.user@a.test", server=server_thread.base_url, takeover=True) as second:
            assert second.address == "sync.user@a.test"
    finally:
        first.close()
        first.close()  # twice is fine
    assert not mailbox_threads()
