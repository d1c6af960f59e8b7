"""Rules in the TUI: they act on mail that arrives while it runs, never on the mail found at start."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.message_pump import MessagePump

from tests.support.mail import build_mail, deliver
from tests.support.waiting import listed_and_live, screen_until, store_until
from tmtui.api.client import TempMailClient
from tmtui.state import SavedMailbox
from tmtui.ui.screens.inbox import InboxScreen

OLD_MAILS = 4


async def drained(node: MessagePump, timeout: float = 10.0) -> None:
    """Resolve once ``node`` has handled every message queued before this call."""
    done = asyncio.Event()
    node.call_later(done.set)
    await asyncio.wait_for(done.wait(), timeout)


def record_notifications(app) -> list[tuple[str, str, str]]:
    """(title, message, severity) of every notification the app raises."""
    seen: list[tuple[str, str, str]] = []
    real = app.notify

    def notify(message: str, *args: object, **kwargs: object) -> None:
        seen.append((str(kwargs.get("title", "")), str(message), str(kwargs.get("severity", "information"))))
        real(message, *args, **kwargs)

    app.notify = notify
    return seen


async def saved_mailbox_with_old_mail(server) -> SavedMailbox:
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
    server.control.seed(session.address, OLD_MAILS, subject="Verification code 50010{n}")
    return SavedMailbox(session.address, session.sid_token, session.meta.expires_at)


async def test_copy_code_acts_on_new_mail_only_and_runs_its_program(make_app, server, tmp_path: Path) -> None:
    saved = await saved_mailbox_with_old_mail(server)
    address = saved.address
    marker = tmp_path / "ran"
    rules = ({"name": "codes", "has_code": True, "copy_code": True,
              "run": [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x'); print('hello from run')"]},)
    app = make_app(saved=[saved], start_address=address, config={"rules": rules})
    notes = record_notifications(app)
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await listed_and_live(store, address, OLD_MAILS)
        mailbox = store.get(address)
        assert mailbox is not None
        await drained(app)  # every change so far went through the announcer
        engine = app.announcer.rules
        assert engine is not None
        await engine.idle()
        assert app.clipboard == "" and not marker.exists()  # the old mail: nothing done
        assert not any(m.read for m in mailbox.messages)  # and none of it read for a rule

        await deliver(server.smtp_port, address, build_mail(address, subject="Your login code: 771234"))
        await screen_until(pilot, lambda: app.clipboard == "771234")
        await store_until(store, lambda: len(mailbox.messages) == OLD_MAILS + 1)
        await engine.idle()
        await drained(app)
        assert marker.read_text() == "x"  # once
        told = [(title, message) for title, message, _ in notes if title.startswith("rules[0]")]
        assert told == [('rules[0] "codes"', "copy_code: copied code 771234"),
                        ('rules[0] "codes"', "run: exit 0: hello from run")]
        assert isinstance(app.screen, InboxScreen)


async def test_a_bad_rule_is_a_warning_and_the_good_ones_still_run(make_app, server) -> None:
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
    address = session.address
    rules = ({"subject": "code", "delete_after": "soon"}, {"subject": "code", "notify": True})
    app = make_app(saved=[SavedMailbox(address, session.sid_token, session.meta.expires_at)],
                   start_address=address, config={"rules": rules})
    notes = record_notifications(app)
    async with app.run_test(size=(100, 32)) as pilot:
        mailbox = app.store.get(address)
        assert mailbox is not None
        await store_until(app.store, lambda: mailbox.listed and mailbox.connection == "live")
        warnings = [message for _, message, severity in notes if severity == "warning"]
        assert warnings == ["config: rules[0].delete_after: not a duration: 'soon' "
                            '(e.g. "30s", "10m", "1h30m") (rule skipped)']
        await deliver(server.smtp_port, address, build_mail(address, subject="Your code 123456"))
        await screen_until(pilot, lambda: any(title == f"Rule: {address}" for title, _, _ in notes))
        assert (f"Rule: {address}", "Sender <sender@example.org>: Your code 123456", "information") in notes
