"""Sign up with a throwaway mailbox and confirm with the code that arrives.

Needs ``pip install 'tmtui[pytest]'``: its plugin provides ``tmtui_server`` (the
reference server, with SMTP, started once per session) and ``temp_mailbox``
(a new mailbox on it for each test). Run: ``pytest examples/signup``.
"""

from __future__ import annotations


def test_sign_up_and_confirm_with_the_mailed_code(app, browser, temp_mailbox):
    signed_up = browser.post("/signup", data={"email": temp_mailbox.address})
    assert signed_up.status_code == 200 and "We sent a code" in signed_up.text

    code = temp_mailbox.wait_for_code(timeout=30)

    confirmed = browser.post("/confirm", data={"email": temp_mailbox.address, "code": code})
    assert confirmed.status_code == 200 and "is confirmed" in confirmed.text
    assert temp_mailbox.address in app.state.confirmed


def test_a_wrong_code_is_refused(app, browser, temp_mailbox):
    browser.post("/signup", data={"email": temp_mailbox.address})
    code = temp_mailbox.wait_for_code(timeout=30)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    refused = browser.post("/confirm", data={"email": temp_mailbox.address, "code": wrong})
    assert refused.status_code == 400
    assert temp_mailbox.address not in app.state.confirmed
