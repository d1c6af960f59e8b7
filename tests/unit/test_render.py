"""tmtui.render.html_to_text: what a reader sees, and what a hostile sender cannot do."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from markdown_it import MarkdownIt

from tmtui.render import Link, Rendered, html_to_text
from tmtui.render.converter import Converter

from .test_sanitize import FORBIDDEN


def markdown_links(rendered: Rendered) -> list[str]:
    """Every link a Markdown widget (Textual's gfm-like parser) would make.

    Bare-URL linkify is switched off: it is the widget's own feature, and the
    UI must vet clicked links with safe_url anyway."""
    tokens = MarkdownIt("commonmark").parse(rendered.markdown)
    found: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for token in items:
            assert token.type not in ("html_inline", "html_block", "image"), token
            if token.type == "link_open":
                found.append(str(token.attrs["href"]))
            walk(token.children or [])

    walk(tokens)
    return found


def test_links_are_numbered_in_order_and_listed() -> None:
    r = html_to_text(
        '<p>Please <a href="https://example.com/confirm?a=1&amp;b=2">confirm your account</a>, '
        'read the <a href="HTTPS://Example.com/faq">FAQ</a> or '
        '<a href="mailto:help@example.com?attach=/etc/passwd&amp;body=x">write to us</a>. '
        'Again: <a href="https://example.com/confirm?a=1&amp;b=2">confirm</a>.</p>'
    )
    assert r.links == (
        Link(1, "https://example.com/confirm?a=1&b=2", "confirm your account"),
        Link(2, "https://Example.com/faq", "FAQ"),
        Link(3, "mailto:help@example.com", "write to us"),
    )
    assert r.text.startswith(
        "Please confirm your account [1], read the FAQ [2] or write to us [3]. Again: confirm [1]."
    )
    assert r.text.endswith(
        "Links:\n[1] example.com  https://example.com/confirm?a=1&b=2\n[2] example.com  https://Example.com/faq\n"
        "[3] example.com  mailto:help@example.com"
    )
    assert r.truncated is False and r.note is None
    first, faq, mail = (link.url for link in r.links)
    assert markdown_links(r) == [first, faq, mail, first,  # in the body
                                 first, faq, mail]  # in the list at the end


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\nscript:alert(1)",
    "java\tscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<script>x</script>",
    "file:///etc/passwd", "vbscript:msgbox", "ftp://example.com/", "/relative/path", "#top",
    "//example.com/protocol-relative", "https:/one-slash", "https://", "mailto:", "",
])
def test_unsafe_links_are_dropped_but_their_text_stays(href: str) -> None:
    r = html_to_text(f'<p>Hello <a href="{href}">click me</a> world</p>')
    assert r.links == ()
    assert r.text == "Hello click me world"
    assert markdown_links(r) == []


def test_urls_are_made_visible_and_inert() -> None:
    # raw invisible characters go with the sanitised source; entity-encoded
    # ones appear after parsing and are percent-encoded where they sit
    r = html_to_text('<a href="https://evil.example/a b&#x202e;txt\u200b.exe&quot;<>\\`">x</a>')
    (link,) = r.links
    assert link.url == "https://evil.example/a%20b%E2%80%AEtxt.exe%22%3C%3E%5C%60"
    assert markdown_links(r) == [link.url, link.url]


def test_image_alt_text_is_kept_images_are_not() -> None:
    r = html_to_text('<p>Hi <img src="https://t.example/pixel.gif" alt=""> '
                     '<a href="https://example.com/"><img src="logo.png" alt="Example Inc."></a>'
                     '<img src="https://t.example/x.png" alt="&#27;[2J\u202eevil"></p>')
    # (html.unescape drops the ESC of an attribute's "&#27;"; the bidi override goes too)
    assert " ".join(r.text.splitlines()[0].split()) == "Hi Example Inc. [1] [2Jevil"
    assert r.links == (Link(1, "https://example.com/", "Example Inc."),)
    assert "pixel" not in r.text and "logo.png" not in r.markdown


def test_empty_link_text_still_gets_a_marker() -> None:
    r = html_to_text('<p>See <a href="https://example.com/"><img src="x.png"></a>.</p>')
    assert r.text.startswith("See [1].")
    assert markdown_links(r) == ["https://example.com/", "https://example.com/"]


def test_script_style_and_head_content_are_not_shown() -> None:
    r = html_to_text(
        "<html><head><title>T1TLE</title><style>p{color:red} .STYLE{}</style>"
        "<script>alert('SCRIPT')</script></head><body><p>Visible</p>"
        "<script type=text/javascript>document.write('SCRIPT2')</script>"
        "</style></script></head><style>@import 'STYLE2';</style>"  # stray ends cannot unhide
        "<p>Also visible</p><script>never closed SCRIPT3"
    )
    assert r.text == "Visible\n\nAlso visible"
    assert not re.search("SCRIPT|STYLE|T1TLE", r.markdown)


def test_terminal_controls_in_html_text_and_entities_are_neutralised() -> None:
    r = html_to_text("<p>a\x1b[2J\x1b]0;pwned\x07b &#27;]52;c;ZXZpbA==&#7; c &#x9b;31m "
                     "invoice&#x202e;fdp.exe \u202eexe.pdf z&#x200b;w &#0; &#xD800; &#1114112;</p>")
    assert r.text == "ab ␛]52;c;ZXZpbA==␇ c ›31m invoicefdp.exe exe.pdf zw \ufffd \ufffd \ufffd"
    assert not FORBIDDEN.search(r.text) and not FORBIDDEN.search(r.markdown)


def test_rich_markup_is_kept_literally() -> None:
    r = html_to_text("<p>[bold]x[/bold] [link=http://e]y[/link] [@click=app.quit]z[/]</p>")
    assert r.text == "[bold]x[/bold] [link=http://e]y[/link] [@click=app.quit]z[/]"


@pytest.mark.parametrize("html", [
    "[click](javascript:alert(1))",
    "&#91;click&#93;&#40;javascript:alert(1)&#41;",
    "&lt;javascript:alert(1)&gt; &lt;https://evil.example/&gt;",
    "[x]: https://evil.example/\n\n[x]",
    "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;",
    "![img](https://evil.example/track.png)",
    "<code>`</code> [x](https://evil.example/) <code>`</code>",
    "<pre>x\n\n    [x](https://evil.example/)\n</pre>",
    "text<pre>[x](https://evil.example/)</pre>",
    "<ol><li>a<pre>\n[x](https://evil.example/)</pre></ol>",
    "\\[x\\](https://evil.example/) \\\\[y](https://evil.example/)",
    "&amp;lt;b&amp;gt; &amp;#91;",
    "\ufdd3forged\ufdd41\ufdd5 \ufdd0[x](https://evil.example/)",  # our sentinels
])
def test_text_cannot_make_markdown_links_or_html(html: str) -> None:
    r = html_to_text(f'<p>{html} <a href="https://ok.example/">ok</a></p>')
    assert markdown_links(r) == ["https://ok.example/", "https://ok.example/"]


def test_markdown_keeps_the_text_as_written() -> None:
    source = "1. not a list<br>- not a bullet<br># not a heading<br>*a* _b_ `c` a&lt;b & c|d ~e~ \\f"
    r = html_to_text(f"<p>{source}</p>")
    expected = "1. not a list\n- not a bullet\n# not a heading\n*a* _b_ `c` a<b & c|d ~e~ \\f"
    assert r.text == expected
    tokens = MarkdownIt("commonmark").parse(r.markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    shown = "".join(t.content if t.type != "hardbreak" else "\n" for t in tokens[1].children or [])
    assert shown == expected


def test_structure_reads_well() -> None:
    r = html_to_text(
        "<h1>Title</h1><p>Para <b>bold</b> and <i>it</i>.</p>"
        "<ul><li>one<li>two<ul><li>nested</ul></ul>"
        "<blockquote>quoted</blockquote>"
        "<table><tr><td>Name<td>Value<tr><td>a<td>1</table>"
        "<pre>  keep   this\n    indent</pre>"
    )
    assert r.text == (
        "Title\n\nPara bold and it.\n\n  - one\n  - two\n    - nested\n\n> quoted\n\n"
        "Name Value\na 1\n\n\xa0\xa0keep   this\n\xa0\xa0\xa0\xa0indent"
    )
    assert "**bold**" in r.markdown and "_it_" in r.markdown


def test_output_cap_is_visible() -> None:
    r = html_to_text("<p>" + "word " * 50_000 + "</p>", max_output=10_000)
    assert r.truncated is True
    assert r.note is not None and "longer than 10,000 characters" in r.note
    assert r.text.endswith("[tmtui: the text is longer than 10,000 characters, "
                           "the rest is not shown]")
    assert len(r.text) < 10_200 and len(r.markdown) < 10_200


def test_input_cap_is_visible() -> None:
    html = "<p>" + "word " * 10_000 + "</p><p>TAIL</p>"
    r = html_to_text(html, max_input=20_000)
    assert r.truncated is True and "TAIL" not in r.text
    assert r.note == "The message is longer than 20,000 characters, the rest is not shown."
    assert "[tmtui: the message is longer than 20,000 characters" in r.text


def test_markdown_cap_applies_after_escaping() -> None:
    r = html_to_text('<a href="https://e.example/">x</a> ' * 3000, max_output=30_000)
    assert r.note == "The formatted view stops at 30,000 characters." and r.truncated
    assert len(r.text) < 30_000 and "[tmtui" not in r.text
    assert len(r.markdown) < 30_200 + len("[1]: <https://e.example/>")
    assert "formatted view stops at 30,000 characters" in r.markdown


def test_width_wraps_paragraphs() -> None:
    r = html_to_text("<p>" + "lorem ipsum " * 40 + "</p>", width=40)
    assert max(map(len, r.text.splitlines())) <= 40 and len(r.text.splitlines()) > 5


def test_html2text_failure_falls_back_to_bare_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: object, html: str) -> str:
        raise RuntimeError("html2text broke")

    monkeypatch.setattr(Converter, "run", boom)
    r = html_to_text("<p>Hello &amp; <b>bye</b><script>x()</script><!-- hidden --></p>"
                     "<div>\x1b[2Jnext &#27;</div>")
    assert r.text == ("Hello & bye\n\nnext\n\n"
                      "[tmtui: this message could not be formatted, showing its bare text]")
    assert r.note == "This message could not be formatted, showing its bare text."
    assert r.links == () and markdown_links(r) == []


def test_import_is_light() -> None:
    code = ("import sys, tmtui.render, tmtui.safety, tmtui.files; "
            "print(sorted(m for m in ('textual', 'html2text', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_app_starts_without_html2text() -> None:
    # html2text loads on the first body converted, never for the first screen.
    code = ("import sys, tmtui.ui.app, tmtui.render, tmtui.humanize; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'html2text'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_humanize_is_textual_free() -> None:
    code = "import sys, tmtui.humanize; print(sorted(m for m in ('textual', 'html2text') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
