"""parse_message on broken and hostile mail: best effort, never an exception, never a drop."""

from __future__ import annotations

from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.mail import build_mail
from tmtui.server.actions import content_disposition, parse_offset
from tmtui.server.core import mail_id, parse_mail_id
from tmtui.server.mailparse import (
    decode_bytes,
    excerpt_of,
    parse_message,
    safe_filename,
)
from tmtui.server.names import LOCAL_PART, random_local_part


def test_message_rfc822_part_becomes_an_eml_attachment() -> None:
    inner = EmailMessage()
    inner["Subject"] = "inner"
    inner.set_content("inner body")
    outer = EmailMessage()
    outer["Subject"] = "outer"
    outer.set_content("see forwarded")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes())
    assert parsed.subject == "outer" and "see forwarded" in parsed.body_html
    assert [a.name for a in parsed.attachments] == ["forwarded-message.eml"]
    assert b"inner body" in parsed.attachments[0].data


def test_duplicate_and_hostile_file_names() -> None:
    raw = build_mail("x@a.test", attachments=[("../../etc/passwd", b"1"), ("a.txt", b"2"), ("a.txt", b"3"),
                                              ("", b"4", "image/png")])
    names = [a.name for a in parse_message(raw).attachments]
    assert names[0] == "_.._etc_passwd"
    assert names[1:3] == ["a.txt", "a (2).txt"]
    assert names[3].startswith("attachment-") and names[3].endswith(".png")


def test_deep_nesting_is_bounded() -> None:
    depth = 200
    head = b"Subject: deep\r\n"
    body = b""
    for i in range(depth):
        body += f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
    body += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    parsed = parse_message(head + body)
    assert parsed.subject == "deep"  # stored, whatever the body became


def test_garbage_is_stored_as_text() -> None:
    parsed = parse_message(b"\x00\xff\xfe garbage without headers \x80")
    assert isinstance(parsed.body_html, str)
    parsed.body_html.encode("utf-8")
    parsed.subject.encode("utf-8")


def test_empty_mail() -> None:
    parsed = parse_message(b"")
    assert parsed.subject == "" and parsed.body_html == "" and parsed.attachments == ()


def test_header_injection_is_flattened() -> None:
    parsed = parse_message(b"Subject: =?utf-8?q?a=0D=0Ab=00c?=\r\n\r\nbody\r\n")
    assert parsed.subject == "a b c"


def test_decode_bytes_fallbacks() -> None:
    assert decode_bytes("café".encode(), "x-unknown") == "café"
    assert decode_bytes("café".encode("latin-1"), "utf-8") == "café"
    assert decode_bytes(b"\x81\x8d\x8f", None) == "\x81\x8d\x8f"  # undefined in cp1252, latin-1 takes them
    assert decode_bytes(b"abc", "base64") == "abc"  # not a text codec


def test_excerpt_is_short_and_flat() -> None:
    text = excerpt_of("word " * 100)
    assert len(text) <= 100 and "\n" not in text and text.endswith("…")


def test_safe_filename_length() -> None:
    name = safe_filename("a" * 500 + ".pdf", "application/pdf", 1)
    assert len(name) <= 200 and name.endswith(".pdf")


def test_content_disposition_is_header_safe() -> None:
    value = content_disposition('évil"\r\nX-Injected: 1;.txt')
    assert "\r" not in value and "\n" not in value
    assert value.count('"') == 2
    assert value.endswith("filename*=UTF-8''%C3%A9vil%22%0D%0AX-Injected%3A%201%3B.txt")


def test_parse_offset_clamps() -> None:
    values = (None, "", "abc", "1.5", "-5", "20", " 7 ", "+3", "007", "1000001", "9" * 30, "1" * 5000, "-" + "9" * 99)
    assert [parse_offset(v) for v in values] == [0, 0, 0, 0, 0, 20, 7, 3, 7, 1_000_000, 1_000_000, 1_000_000, 0]


def test_mail_ids_round_trip() -> None:
    assert mail_id("INBOX", 123) == "123" and mail_id("Junk", 123) == "Junk:123"
    assert parse_mail_id("123") == ("INBOX", 123)
    assert parse_mail_id("Junk:123") == ("Junk", 123) and parse_mail_id("junk:7") == ("Junk", 7)
    for bad in ("", "Junk:", "Spam:1", "1e3", "-1", "١٢٣", "1" * 19):
        assert parse_mail_id(bad) is None, bad


def test_random_local_parts_are_valid() -> None:
    names = {random_local_part() for _ in range(500)}
    assert all(LOCAL_PART.match(n) for n in names)
    assert len(names) > 300


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_parse_never_raises_on_random_bytes(raw: bytes) -> None:
    parsed = parse_message(b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" + raw)
    for text in (parsed.subject, parsed.mail_from, parsed.body_html, parsed.excerpt):
        text.encode("utf-8")
