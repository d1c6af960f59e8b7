"""tmtui.render under hostile load: deep nesting, parser traps, big bodies, fuzzing.

Every case here used to take minutes or blow up output before the guard it
exercises was added. Cost is checked as growth, never as time: 10x the input
must cost less than 40x the CPU (see ``helpers.scaling``); absolute speed is
measured in ``benchmarks/rendering.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.newsletter import newsletter
from tests.support.scaling import assert_linear
from tmtui.render import html_to_text

from .test_render import markdown_links
from .test_sanitize import FORBIDDEN

Build = Callable[[int], str]


def test_ten_thousand_nested_divs() -> None:
    def build(n: int) -> str:
        return "<div>" * n + "deep text" + "</div>" * n

    r = assert_linear(build, 10_000, html_to_text)
    assert r.text.startswith("deep text")
    assert r.note is not None and "nested deeper than 200 levels" in r.note


def test_five_thousand_nested_lists() -> None:
    def build(n: int) -> str:
        return "<ul><li>item" * n + "</li></ul>" * n

    r = assert_linear(build, 5000, html_to_text)
    lines = r.text.splitlines()
    assert len(lines) > 4000  # every item is still there, flattened past the limit
    assert max(map(len, lines[:-2])) <= 2 * 200 + 10  # indentation stops growing
    assert r.note is not None and "nested deeper" in r.note


def _case(build: Build, size: int, name: str) -> object:
    return pytest.param(build, size, id=name)


@pytest.mark.parametrize(("build", "size"), [
    _case(lambda n: "<blockquote>q" * n, 10_000, "blockquotes"),  # one ">" per level per line
    _case(lambda n: "<div><ul><li>x</div>" * n, 3000, "lists-closed-by-outer-end"),
    _case(lambda n: "<ol start=99999999999999999999><li>x" * n, 3000, "huge-ol-start"),
    _case(lambda n: "<ul>" * 199 + "<li>x</li>" * n, 30_000, "legal-depth-many-items"),
    _case(lambda n: "<a href='https://e.example/'>x" * n, 10_000, "unclosed-anchors"),
    _case(lambda n: "<p>x" * n, 20_000, "unclosed-paragraphs"),
    _case(lambda n: "<table>" + "<tr><td>x" * n, 10_000, "unclosed-cells"),
    _case(lambda n: "<font>x" * n, 20_000, "unclosed-fonts"),
])
def test_nesting_tricks_stay_bounded(build: Build, size: int) -> None:
    assert len(assert_linear(build, size, html_to_text).text) < 1_100_000


@pytest.mark.parametrize(("build", "size"), [
    # unfinished constructs: the stdlib parser re-scans to the end for each "<"
    _case(lambda n: "<a " * n, 60_000, "unfinished-tags"),
    _case(lambda n: "<a b='" * n, 30_000, "unfinished-quotes"),
    _case(lambda n: "<!--" * n, 50_000, "unfinished-comments"),
    _case(lambda n: "<script>" + "</" * n, 100_000, "unfinished-end-tags-in-script"),
    # html2text's list-marker escaping is quadratic on whitespace runs
    _case(lambda n: "<p>x" + "\n" * n + "y", 200_000, "newline-run"),
    _case(lambda n: "<p>" + " \n" * n + "</p>", 100_000, "space-newline-run"),
    # html2text's CSS parser is quadratic in @import rules
    _case(lambda n: "<style>" + "@import url(x);" * n + "</style>", 30_000, "css-imports"),
    _case(lambda n: "&#" * n + ";", 20_000, "bad-charrefs"),
    _case(lambda n: "<pre>" + "\n" * n + "</pre>", 100_000, "pre-newlines"),
    _case(lambda n: "<pre>a" + " " * n + "b</pre>", 500_000, "pre-spaces"),
    _case(lambda n: "a" + "&#x301;" * n, 30_000, "entity-zalgo"),
])
def test_parser_traps_stay_linear(build: Build, size: int) -> None:
    assert not FORBIDDEN.search(assert_linear(build, size, html_to_text).text)


@pytest.mark.parametrize("html", [
    "<", "<<>>", "</>", "<a", "<a href", "<a href='", "<a href=\"x", "<!--", "<!-- -- >",
    "<!", "<!doctype", "<![CDATA[x", "<![if !mso]>x<![endif]>", "<![ junk", "<![<![",
    "<?xml", "&", "&#", "&#x", "&#xZZ;", "&#99999999999;", "&#" + "9" * 5000 + ";",
    "&amp", "&nosuch;", "<p <p <p>", "<table><td><tr></table></td>", "</p></p></div>",
    "<li>orphan", "<ol start=x><li>a", "<ol start=" + "9" * 5000 + "><li>a",
    "<abbr title='&#27;[2J'>x</abbr>", "<a href='https://e.example/'><h1>t</h1></a>",
    "<q><q><q>x", "<pre><pre>x</pre>", "<head><body>x</head>y", "</head></head>z",
    "<code>`x</code>", "<b><i></b></i>", "<br/><hr/><img/>",
    "\x00<p\x00>x</p\x00>", "<p>\ud800</p>", "<svg><script>x</script></svg>",
])
def test_malformed_html_never_raises(html: str) -> None:
    r = html_to_text(html)
    assert not FORBIDDEN.search(r.text)
    assert not FORBIDDEN.search(r.markdown)
    assert all(link.url.startswith("https://") for link in r.links)


def test_malformed_html_keeps_its_text() -> None:
    r = html_to_text("<p>a</p><![ junk <p>b</p> &#xZZ; <b>c</b>")
    assert r.note is None
    assert r.text == "a\n\nb\n\n&#xZZ; c"


def test_megabyte_newsletter_converts_whole_and_scales_linearly() -> None:
    # Its speed against bare html2text is a benchmark (rendering.convert), not a test.
    r = assert_linear(newsletter, 1_000_000, html_to_text)
    assert r.note is None and not r.truncated
    assert len(r.links) == 1000  # MAX_LINKS
    assert "Café owners & the “new normal” — what’s next?" in r.text
    assert "Read more → [4] Share [5]" in r.text


html_ish = st.lists(
    st.one_of(
        st.sampled_from([
            "<", ">", "</", "/>", "<!--", "-->", "<!", "<![", "]]>", "&", "&#", ";", "=", "'",
            '"', " ", "\n", "<a href='https://e.example/x'>", "<a href='javascript:x'>", "</a>",
            "<ul>", "<li>", "</ul>", "<pre>", "</pre>", "<code>", "</code>", "<script>",
            "</script>", "<style>", "<b>", "</b>", "<blockquote>", "<img alt='", "<table>",
            "<td>", "[", "]", "(", ")", "*", "_", "`", "\\", "#", "\x1b", "\x9b", "\u202e",
            "\u0301", "\ufdd3", "\ufdd4", "1", "\ufdd5", "&#27;", "&#x202e;", "&lt;", "&#91;",
        ]),
        st.text(max_size=5),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_ish)
def test_any_input_gives_safe_output(html: str) -> None:
    r = html_to_text(html, max_depth=8)
    assert not FORBIDDEN.search(r.text) and not FORBIDDEN.search(r.markdown)
    urls = {link.url for link in r.links}
    assert urls <= {"https://e.example/x"}
    assert set(markdown_links(r)) <= urls
    assert [link.number for link in r.links] == list(range(1, len(r.links) + 1))
