"""The JSON schema and plain lines, fed hostile values directly (the reference
server cleans some of them itself, so the client's own sanitising is tested here)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime

from tmtui.api.models import Attachment, Message, MessageSummary
from tmtui.headless import schema
from tmtui.headless.output import message_line
from tmtui.render import html_to_text

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
EVIL = "a\x1b]52;c;ZXZpbA==\x07b\x1b[2J\u202ec\x9b31m\x00d\u200be\nf\tg"
WHEN = datetime(2026, 3, 5, 10, 42, 17, tzinfo=UTC)


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_message_json_has_no_control_characters_anywhere() -> None:
    html = f'<p>{EVIL} code 482913</p><a href="https://x.test/verify">{EVIL}</a><pre>{EVIL}</pre>'
    mail = Message(id=f"1{EVIL}", sender=EVIL, subject=f"Your code {EVIL}", html=html, timestamp=WHEN,
                   attachments=(Attachment(name=EVIL, size=3, type=EVIL),))
    document = schema.message(f"x{EVIL}@a.test", mail, html_to_text(html))
    assert set(document) == {"id", "address", "from", "from_address", "from_warning", "subject", "date", "text",
                             "html", "attachments",
                             "links", "code", "link"}
    for key in ("text", "html"):
        assert not CONTROL.search(document[key].replace("\n", "").replace("\t", ""))
    for value in strings({k: v for k, v in document.items() if k not in ("text", "html")}):
        assert not CONTROL.search(value) and "\n" not in value and "\t" not in value, value
    assert document["date"] == "2026-03-05T10:42:17Z"
    assert document["code"]["value"] == "482913" and document["link"] == "https://x.test/verify"
    dumped = schema.dumps(document, pretty=False)
    assert "\n" not in dumped and json.loads(dumped) == document


def test_summary_and_inbox_line_are_clean_one_line_fields() -> None:
    summary = MessageSummary(id="Junk:7", sender=EVIL, subject=EVIL, excerpt=EVIL, timestamp=WHEN,
                             read=True, has_attachment=True)
    document = schema.summary(summary)
    assert document["folder"] == "Junk" and document["read"] is True
    for value in strings(document):
        assert not CONTROL.search(value) and "\n" not in value and "\t" not in value
    fields = message_line(summary, tty=False).split("\t")
    assert len(fields) == 4 and fields[:2] == ["Junk:7", "2026-03-05T10:42:17Z"]
    assert not any(CONTROL.search(f) for f in fields)
    shown = message_line(summary, tty=True)
    assert shown.startswith(" @ Junk:7") and not CONTROL.search(shown)


def test_iso_treats_naive_times_as_utc() -> None:
    assert schema.iso(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"
    assert schema.iso(None) is None


def test_help_does_not_import_textual_or_httpx() -> None:
    code = ("import sys; from tmtui.cli import build_parser; build_parser().format_help(); "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'httpx', 'html2text')"
            " or m.startswith(('tmtui.api', 'tmtui.headless.run', 'tmtui.headless.commands'))); "
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr
