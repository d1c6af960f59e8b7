"""``tmtui wait`` as a real process against the real server, with real SMTP delivery."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.mail import build_mail, deliver

from .support import Result, Runner, write_config

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer

Cli = Callable[..., Awaitable[Result]]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def otp_mail(to: str, code: str, subject: str = "Your code",
             sender: str = "Sender <sender@example.org>") -> bytes:
    html = (f"<p>Your verification code is <b>{code}</b>.</p>"
            "<p>Order #482193 · $12.99 · call 555-123-4567</p>"
            '<p><a href="https://example.test/unsubscribe">Unsubscribe</a></p>')
    return build_mail(to, subject=subject, html=html, sender=sender)


async def new_mailbox(run: Callable[..., Awaitable[Result]], name: str = "alice") -> str:
    """``tmtui new`` through ``run``: the subprocess runner or the in-process ``cli``."""
    result = await run("new", "--name", name, "--domain", "a.test")
    assert result.code == 0, result.err
    address = result.out.strip()
    assert address == f"{name}@a.test"
    return address


async def test_script_flow_new_then_wait_otp_races_delivery(server: ReferenceServer, tmtui: Runner) -> None:
    """The issue's done-when: addr=$(tmtui new); code=$(tmtui wait --otp --timeout 120),
    with the mail sent the moment the wait process is spawned, before it has subscribed."""
    address = await new_mailbox(tmtui)
    process = await tmtui.spawn("wait", "--otp", "--timeout", "120")
    await deliver(server.smtp_port, address, otp_mail(address, "482913"))
    result = await tmtui.finish(process)
    assert (result.code, result.out, result.err) == (0, "482913\n", "")


async def test_a_second_wait_does_not_report_the_same_mail_again(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    first = await tmtui.spawn("wait", "--otp", "--timeout", "30")
    await deliver(server.smtp_port, address, otp_mail(address, "111222"))
    assert (await tmtui.finish(first)).out == "111222\n"
    again = await cli("wait", "--otp", "--timeout", "0.5")  # the mail is recent, but read now
    assert (again.code, again.out) == (1, "")


async def test_wait_sees_mail_stored_while_it_takes_its_baseline(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    """No grace period: the mail lands as soon as the stream is open, racing the listing."""
    address = await new_mailbox(cli)
    process = await tmtui.spawn("wait", "--otp", "--since", "0", "--timeout", "30")
    await server.control.wait_streams(1, address=address, timeout=20)
    server.control.deliver(address, otp_mail(address, "730519"))
    result = await tmtui.finish(process)
    assert (result.code, result.out) == (0, "730519\n"), result.err


async def test_wait_ignores_mail_that_was_there_before(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    await deliver(server.smtp_port, address, otp_mail(address, "111111"))
    server.control.advance_clock(120)  # the old mail is now two minutes old
    process = await tmtui.spawn("wait", "--otp", "--timeout", "30")
    await server.control.wait_streams(1, address=address, timeout=20)
    await deliver(server.smtp_port, address, otp_mail(address, "222222"))
    result = await tmtui.finish(process)
    assert (result.code, result.out) == (0, "222222\n"), result.err


async def test_wait_filters_on_sender_and_subject(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    process = await tmtui.spawn("wait", "--from", r"@github\.com$", "--subject", "^sign.in", "--otp",
                                "--timeout", "30")
    await server.control.wait_streams(1, address=address, timeout=20)
    await deliver(server.smtp_port, address, otp_mail(address, "100001", subject="Sign in to Acme",
                                                      sender="Acme <no-reply@acme.test>"))
    await deliver(server.smtp_port, address, otp_mail(address, "100002", subject="Your receipt",
                                                      sender="GitHub <noreply@github.com>"))
    await deliver(server.smtp_port, address, otp_mail(address, "100003", subject="SIGN-IN code",
                                                      sender="GitHub <noreply@github.com>"))
    result = await tmtui.finish(process)
    assert (result.code, result.out) == (0, "100003\n"), result.err


async def test_wait_link_prints_the_confirmation_link(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    process = await tmtui.spawn("wait", "--link", "--timeout", "30")
    html = ('<p>Welcome! <a href="https://click.mail.test/ls/click?upn=Xy7">Confirm your email</a></p>'
            '<p><a href="https://mail.test/help">Help</a> '
            '<a href="https://mail.test/unsub">Unsubscribe</a></p>')
    await deliver(server.smtp_port, address, build_mail(address, subject="Confirm", html=html))
    result = await tmtui.finish(process)
    assert (result.code, result.out) == (0, "https://click.mail.test/ls/click?upn=Xy7\n"), result.err


async def test_wait_json_is_the_documented_schema_and_clean(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    process = await tmtui.spawn("wait", "--json", "--timeout", "30")
    html = ("<p>Hi \x1b]0;pwned\x07there\u202e, your code is <b>482913</b>.\x1b[2J</p>"
            '<a href="https://x.test/verify?t=1">Verify</a>')
    raw = build_mail(address, subject="Code \x1b[31mred\x1b[0m \u202eevil", html=html,
                     attachments=[("../../etc/passwd\x1b[1m", b"root", "text/plain")])
    await deliver(server.smtp_port, address, raw)
    result = await tmtui.finish(process)
    assert result.code == 0, result.err
    assert not CONTROL.search(result.out.rstrip("\n"))
    document = json.loads(result.out)
    assert set(document) == {"id", "address", "from", "from_address", "from_warning", "subject", "date", "text",
                             "html", "attachments",
                             "links", "code", "link"}
    assert document["address"] == address
    assert document["code"]["value"] == "482913" and 0 < document["code"]["confidence"] <= 1
    assert document["link"] == "https://x.test/verify?t=1"
    assert document["links"][0] == {"url": "https://x.test/verify?t=1", "label": "Verify", "kind": "action"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["date"])
    attachment = document["attachments"][0]["name"]
    for value in (document["subject"], document["text"], document["html"], attachment):
        assert not CONTROL.search(value.replace("\n", "").replace("\t", "")), value


async def test_wait_default_prints_an_inbox_line(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    process = await tmtui.spawn("wait", "--timeout", "30")
    await deliver(server.smtp_port, address, build_mail(address, subject="Hello\tthere", text="hi"))
    result = await tmtui.finish(process)
    assert result.code == 0, result.err
    message_id, date, sender, subject = result.out.rstrip("\n").split("\t")
    assert message_id.isdigit() and date.endswith("Z")
    assert (sender, subject) == ("Sender <sender@example.org>", "Hello there")
    [listed] = json.loads((await cli("inbox", "--json")).out)["messages"]
    assert listed["id"] == message_id and listed["read"] is True


async def test_wait_times_out_with_exit_1(tmtui: Runner, cli: Cli) -> None:
    await new_mailbox(cli)
    result = await tmtui("wait", "--otp", "--timeout", "0.5")
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("tmtui: no matching mail within 0.5 s") and result.err.count("\n") == 1


async def test_wait_exit_5_when_matching_mail_has_no_code(
        server: ReferenceServer, tmtui: Runner, cli: Cli) -> None:
    address = await new_mailbox(cli)
    process = await tmtui.spawn("wait", "--otp", "--timeout", "2")
    await server.control.wait_streams(1, address=address, timeout=20)
    await deliver(server.smtp_port, address, build_mail(address, subject="Newsletter",
                                                        text="Order #12345 shipped, total $19.99."))
    result = await tmtui.finish(process)
    assert result.code == 5 and result.out == ""
    assert "matched but has no code" in result.err


async def test_wait_bad_regex_is_a_usage_error(tmtui: Runner, cli: Cli) -> None:
    await new_mailbox(cli)
    result = await tmtui("wait", "--from", "([unclosed", "--timeout", "5")
    assert result.code == 2
    assert result.err.startswith("tmtui: wait: bad --from regex") and result.err.count("\n") == 1


async def test_wait_falls_back_to_polling_when_the_stream_is_refused(
        server: ReferenceServer, tmtui: Runner, isolated: Path, cli: Cli) -> None:
    write_config(isolated / "config.toml", poll_min_seconds=1.0, poll_max_seconds=1.0)
    address = await new_mailbox(cli)
    server.control.refuse_sse(503)
    process = await tmtui.spawn("wait", "--otp", "--timeout", "30")
    await deliver(server.smtp_port, address, otp_mail(address, "640213"))
    result = await tmtui.finish(process)
    assert (result.code, result.out) == (0, "640213\n"), result.err
    assert server.control.stream_count() == 0


async def test_wait_recovers_a_lost_session_and_saves_the_new_token(
        server: ReferenceServer, tmtui: Runner, isolated: Path, cli: Cli) -> None:
    address = await new_mailbox(cli)
    before = json.loads((isolated / "state" / "sessions.json").read_text())["mailboxes"][0]["sid_token"]
    process = await tmtui.spawn("wait", "--otp", "--timeout", "30")
    await server.control.wait_streams(1, address=address, timeout=20)
    server.control.invalidate_session(address)  # session_lost on the stream, 401 on every call
    await deliver(server.smtp_port, address, otp_mail(address, "381924"))
    result = await tmtui.finish(process)
    assert (result.code, result.out) == (0, "381924\n"), result.err
    after = json.loads((isolated / "state" / "sessions.json").read_text())["mailboxes"][0]["sid_token"]
    assert after and after != before
