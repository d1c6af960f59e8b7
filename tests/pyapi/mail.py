"""Mail for the Python API tests (built with tests.support.mail)."""

from __future__ import annotations

from tests.support.mail import build_mail


def otp_mail(to: str, code: str, subject: str = "Your code", sender: str = "Acme <no-reply@acme.test>") -> bytes:
    html = (f"<p>Your verification code is <b>{code}</b>.</p>"
            "<p>Order #482193 · $12.99 · call 555-123-4567</p>"
            '<p><a href="https://acme.test/verify?t=abc">Verify your email</a> '
            '<a href="https://acme.test/unsubscribe">Unsubscribe</a></p>')
    return build_mail(to, subject=subject, html=html, sender=sender)


def note(to: str, subject: str, sender: str = "Friend <friend@example.org>") -> bytes:
    return build_mail(to, subject=subject, text="No code in here, just words.", sender=sender)
