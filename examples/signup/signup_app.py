"""A small web app with an e-mail sign-up: the kind of code the tmtui pytest plugin tests.

A visitor enters an address, the app mails a six-digit code over SMTP, and the
account is confirmed when the code comes back. Run it against the reference
server (``tmtui serve --smtp-port 2525`` in another shell)::

    python examples/signup/signup_app.py --smtp-port 2525   # http://127.0.0.1:8000

``test_signup.py`` next to it signs up with a ``temp_mailbox`` and confirms
with the code that arrives.
"""

from __future__ import annotations

import argparse
import html
import secrets
import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = "<!doctype html><title>Example sign-up</title><h1>Example</h1>{body}"
SIGN_UP_FORM = ('<form method="post" action="/signup"><label>E-mail <input name="email" type="email"></label>'
                '<button>Sign up</button></form>')
CONFIRM_FORM = ('<p>We sent a code to {email}.</p><form method="post" action="/confirm">'
                '<input type="hidden" name="email" value="{email}">'
                '<label>Code <input name="code" inputmode="numeric"></label><button>Confirm</button></form>')


def page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=status)


async def form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded form (no multipart: one dependency fewer)."""
    fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    return {name: values[0].strip() for name, values in fields.items()}


def create_app(smtp_host: str, smtp_port: int, sender: str = "Example <no-reply@example.test>") -> Starlette:
    pending: dict[str, str] = {}  # address -> the code mailed to it
    confirmed: set[str] = set()

    def send_code(address: str, code: str) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = sender, address, "Verify your e-mail for Example"
        mail.set_content(f"Welcome to Example!\n\nYour verification code is {code}.\n")
        with smtplib.SMTP(smtp_host, smtp_port, timeout=30) as smtp:
            smtp.send_message(mail)

    async def home(request: Request) -> HTMLResponse:
        return page(SIGN_UP_FORM)

    async def sign_up(request: Request) -> HTMLResponse:
        address = (await form(request)).get("email", "").lower()
        if "@" not in address:
            return page("<p>That is not an e-mail address.</p>" + SIGN_UP_FORM, 400)
        pending[address] = f"{secrets.randbelow(1_000_000):06d}"
        await run_in_threadpool(send_code, address, pending[address])
        return page(CONFIRM_FORM.format(email=html.escape(address)))

    async def confirm(request: Request) -> HTMLResponse:
        fields = await form(request)
        address = fields.get("email", "").lower()
        expected = pending.get(address)
        if expected is None or not secrets.compare_digest(fields.get("code", ""), expected):
            return page("<p>That code is not right.</p>", 400)
        del pending[address]
        confirmed.add(address)
        return page(f"<p>Thank you: {html.escape(address)} is confirmed.</p>")

    app = Starlette(routes=[Route("/", home), Route("/signup", sign_up, methods=["POST"]),
                            Route("/confirm", confirm, methods=["POST"])])
    app.state.confirmed = confirmed
    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=2525)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvicorn.run(create_app(args.smtp_host, args.smtp_port), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
