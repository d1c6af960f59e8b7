"""One-time codes: a badge on the inbox row, at the top of the reader, one key to copy."""

from __future__ import annotations

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.ui.screens.reader import ReaderScreen

HTML = ("<p>Welcome!</p><p>Your verification code is <b>482913</b>. Order #55120 ships soon.</p>"
        "<p><a href='https://shop.example/unsubscribe'>Unsubscribe</a> · "
        "<a href='https://acme.example/verify?t=9f2c'>Verify my email</a></p>")


async def _live_address(app) -> str:
    store = app.store
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
    return store.mailboxes[0].address


async def test_code_badge_reader_banner_and_copy_keys(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        address = await _live_address(app)
        await deliver(server.smtp_port, address,
                      build_mail(address, subject="Your Acme verification code is 482913", html=HTML))
        await screen_until(pilot, lambda: "Acme" in screen_text(pilot))
        row = next(line for line in screen_text(pilot).splitlines() if "Acme" in line)
        assert "482913" in row.split("Acme", 1)[1]  # the badge, beside the subject

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.code is not None)
        await screen_until(pilot, lambda: "Code 482913" in screen_text(pilot))
        await pilot.press("y")
        assert app.clipboard == "482913"
        await pilot.press("Y")
        assert app.clipboard == "https://acme.example/verify?t=9f2c"


async def test_auto_copy_of_a_new_code_is_opt_in(make_app, server) -> None:
    app = make_app(config={"auto_copy_code": True})
    async with app.run_test(size=(100, 32)) as pilot:
        address = await _live_address(app)
        await deliver(server.smtp_port, address, build_mail(address, subject="Your login code: 771234"))
        await screen_until(pilot, lambda: app.clipboard == "771234")

    quiet = make_app()
    async with quiet.run_test(size=(100, 32)) as pilot:
        address = await _live_address(quiet)
        await deliver(server.smtp_port, address, build_mail(address, subject="Your login code: 771235"))
        await store_until(quiet.store, lambda: len(quiet.store.mailboxes[0].messages) == 1)
        await screen_until(pilot, lambda: "771235" in screen_text(pilot))
        assert quiet.clipboard != "771235"
