"""``tmtui read ID --markdown``: the Markdown form, end to end (real server, real SMTP).

The document is the one the reader's ``s`` saves as ``.md`` (:mod:`tmtui.maildoc`):
headers as escaped ``**Name:** value`` lines, a rule, the converted body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from tests.support.mail import build_mail, deliver

from .support import Result, Runner

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer

Cli = Callable[..., Awaitable[Result]]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
HTML = ('<h2>Welcome</h2><p>Your verification code is <b>482913</b>.</p>'
        '<p><a href="https://acme.test/verify?t=abc">Verify email</a> '
        '<a href="https://acme.test/unsubscribe">Unsubscribe</a></p>')


async def _one_message(cli: Cli, server: ReferenceServer, name: str, subject: str, html: str) -> str:
    made = await cli("new", "--name", name, "--domain", "a.test")
    assert made.code == 0, made.err
    address = made.out.strip()
    await deliver(server.smtp_port, address, build_mail(address, subject=subject, html=html))
    listed = await cli("inbox", "--json")
    [message] = json.loads(listed.out)["messages"]
    return str(message["id"])


async def test_markdown_prints_escaped_headers_a_rule_and_the_markdown_body(
        cli: Cli, server: ReferenceServer) -> None:
    message_id = await _one_message(cli, server, "mona", "Welcome to *Acme* [click](https://evil.test)", HTML)
    result = await cli("read", message_id, "--markdown")
    assert result.code == 0, result.err
    head, rule, body = result.out.partition("\n\n---\n\n")
    assert rule, result.out
    lines = head.split("  \n")
    assert lines[0] == r"**From:** Sender \<sender@example\.org\>"
    assert lines[1] == r"**To:** mona@a\.test"
    # The sender's Markdown stays text: no emphasis, no link.
    assert lines[2] == r"**Subject:** Welcome to \*Acme\* \[click\]\(https://evil\.test\)"
    assert re.fullmatch(r"\*\*Date:\*\* \d{4}\\-\d\d\\-\d\dT\d\d:\d\d:\d\dZ", lines[3]), lines[3]
    assert lines[4:] == ["**Code:** 482913", "**Link:** <https://acme.test/verify?t=abc>"]
    # The body is the converted Markdown: a heading, strong text, numbered reference links.
    assert body.startswith("## Welcome\n")
    assert "**482913**" in body and "[1]: <https://acme.test/verify?t=abc>" in body
    plain = await cli("read", message_id)
    assert "## Welcome" not in plain.out and "**482913**" not in plain.out  # --text stays plain


async def test_markdown_is_sanitised(cli: Cli, server: ReferenceServer) -> None:
    html = "<p>hi \x1b]52;c;ZXZpbA==\x07 there \u202e\x1b[2J</p><pre>\x1bc\x9b31m</pre>"
    message_id = await _one_message(cli, server, "nils", "Bill \x1b]0;PWNED\x07 \u202eexe.pdf", html)
    result = await cli("read", message_id, "--markdown")
    assert result.code == 0, result.err
    assert not CONTROL.search(result.out.replace("\n", "")), result.out
    assert "PWNED" in result.out and "there" in result.out  # the text stays, its escapes do not


async def test_markdown_with_another_form_is_exit_2_with_one_line(tmtui: Runner) -> None:
    for other in ("--json", "--text", "--html"):
        result = await tmtui("read", "42", "--markdown", other)
        assert (result.code, result.out) == (2, ""), other
        assert result.err == (f"tmtui read: argument {other}: not allowed with argument --markdown "
                              "(see tmtui read --help)\n"), result.err
