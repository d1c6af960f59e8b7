"""Issue 12.7 (one code everywhere) and 12.8 (display-name spoofing), on the real server.

The corpus walks the reader through the same mails ("codes-parts-disagree",
"sender-" cases); here the inbox row, auto_copy_code and ``tmtui wait``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.headless.support import Runner
from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, until
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.extract import mail_code
from tmtui.safety import sender_view
from tmtui.safety.addresses import sender_line
from tmtui.ui.widgets.message_list import to_row

from .samples import summary

SIZE = (110, 30)
TEXT_111 = "Your verification code is 111111\n"
HTML_222 = "<p>Your verification code is <b>222222</b></p>"


# -- 12.7 -----------------------------------------------------------------------------------

def test_parts_that_disagree_make_the_code_uncertain() -> None:
    listed = mail_code("Sign up", "Your verification code is 111111")
    assert listed is not None and listed.value == "111111" and not listed.uncertain  # the inbox knows no more
    whole = mail_code("Sign up", "Your verification code is 111111", "Your verification code is 222222")
    assert whole is not None and whole.value == "222222" and whole.uncertain and whole.other == "111111"
    agreeing = mail_code("Sign up", "Your verification code is 482913", "Hi! Your verification code is 482913.")
    assert agreeing is not None and not agreeing.uncertain
    only_text = mail_code("Sign up", "Your verification code is 111111", "Welcome aboard.")
    assert only_text is not None and only_text.uncertain and only_text.other == ""


async def _app_with_mailbox(server, tmp_path: Path, **config: object):
    app = build_app(Config(server=server.base_url, download_dir=tmp_path / "downloads", **config),  # type: ignore[arg-type]
                    saved=(), persist=False)
    return app


async def _live(app) -> str:
    store = app.store
    await until(lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live", 20, what="live")
    return store.mailboxes[0].address


async def test_auto_copy_does_not_fire_when_the_parts_disagree(server, tmp_path: Path) -> None:
    app = await _app_with_mailbox(server, tmp_path, auto_copy_code=True)
    notes: list[str] = []
    real = app.notify
    app.notify = lambda message, *a, **k: (notes.append(str(message)), real(message, *a, **k))[1]  # type: ignore[method-assign]
    async with app.run_test(size=SIZE):
        address = await _live(app)
        await deliver(server.smtp_port, address, build_mail(address, subject="Your sign-up",
                                                            text=TEXT_111, html=HTML_222))
        await until(lambda: any("not copied" in n for n in notes), 20, what="the not-copied notice")
        assert app.clipboard not in ("111111", "222222")
        assert any("111111" in n and "222222" in n for n in notes)
        # A mail whose parts agree is still copied at once.
        await deliver(server.smtp_port, address, build_mail(address, subject="Your sign-up",
                                                            text="Your verification code is 482913\n",
                                                            html="<p>Your verification code is 482913</p>"))
        await until(lambda: app.clipboard == "482913", 20, what="the agreeing code copied")


# -- 12.8 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("sender", "real"), [
    ('"noreply@github.com" <attacker@evil.test>', "attacker@evil.test"),
    ('"PayPal Service (paypal.com)" <billing@evil.test>', "billing@evil.test"),
    ('"support\uff20bank.example" <a@evil.test>', "a@evil.test"),
    ('"service@paypal.com' + "\u3164" * 70 + '" <attacker@evil.test>', "attacker@evil.test"),
])
def test_a_lying_display_name_shows_the_real_address_everywhere(sender: str, real: str) -> None:
    view = sender_view(sender)
    assert view.flagged and view.address == real
    row = to_row(summary(sender=sender))
    assert row.sender.startswith(f"! {real}")  # the inbox column: address first, never cut
    assert sender_line(sender, 60).startswith("! ") and real in sender_line(sender, 60)
    assert real in sender_line(sender, 20, narrow=True)


@pytest.mark.parametrize("sender", ["GitHub <noreply@github.com>", "noreply@github.com",
                                    '"GitHub (github.com)" <noreply@github.com>', "Acme <no-reply@mail.acme.test>"])
def test_an_honest_display_name_is_left_alone(sender: str) -> None:
    assert not sender_view(sender).flagged
    assert not to_row(summary(sender=sender)).sender.startswith("!")


async def test_the_inbox_row_unmasks_a_spoofed_sender(server, tmp_path: Path) -> None:
    app = await _app_with_mailbox(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        address = await _live(app)
        await deliver(server.smtp_port, address, build_mail(
            address, subject="Sign in to GitHub", sender='"noreply@github.com" <attacker@evil.test>'))
        await until(lambda: "Sign in to GitHub" in screen_text(pilot), 20, what="the row")
        row = next(line for line in screen_text(pilot).splitlines() if "Sign in to GitHub" in line)
        assert "! attacker@evil.test" in row


async def _wait_for(runner: Runner, server, address: str, mails: list[bytes], *args: str):
    process = await runner.spawn("wait", *args, "--timeout", "30")
    await server.control.wait_streams(1, address=address, timeout=20)
    for raw in mails:
        await deliver(server.smtp_port, address, raw)
    return await runner.finish(process)


async def _new_mailbox(runner: Runner) -> str:
    result = await runner("new", "--name", "victim", "--domain", "a.test")
    assert result.code == 0, result.err
    return result.out.strip()


async def test_wait_from_matches_the_address_not_the_display_name(server) -> None:
    runner = Runner(server.base_url)
    address = await _new_mailbox(runner)
    spoof = build_mail(address, subject="Sign in", sender='"noreply@github.com" <attacker@evil.test>',
                       html="<p>Your verification code is <b>666666</b></p>")
    real = build_mail(address, subject="Sign in", sender="GitHub <noreply@github.com>",
                      html="<p>Your verification code is <b>100003</b></p>")
    result = await _wait_for(runner, server, address, [spoof, real], "--from", r"noreply@github\.com", "--otp")
    assert (result.code, result.out) == (0, "100003\n"), result.err


async def test_wait_from_name_matches_the_display_name_when_asked(server) -> None:
    runner = Runner(server.base_url)
    address = await _new_mailbox(runner)
    mail = build_mail(address, subject="Sign in", sender="GitHub <noreply@github.com>",
                      html="<p>Your verification code is <b>100004</b></p>")
    result = await _wait_for(runner, server, address, [mail], "--from-name", "^github$", "--otp")
    assert (result.code, result.out) == (0, "100004\n"), result.err


async def test_wait_otp_skips_a_mail_whose_parts_disagree(server) -> None:
    runner = Runner(server.base_url)
    address = await _new_mailbox(runner)
    split = build_mail(address, subject="Your sign-up", text=TEXT_111, html=HTML_222)
    good = build_mail(address, subject="Your sign-up", text="Your verification code is 333333\n",
                      html="<p>Your verification code is 333333</p>")
    result = await _wait_for(runner, server, address, [split, good], "--otp")
    assert (result.code, result.out) == (0, "333333\n"), result.err
    assert "different codes" in result.err
