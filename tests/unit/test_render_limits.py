"""tmtui.render under hostile load: deep nesting, parser traps, big bodies, fuzzing.

Timing bounds are generous (seconds); every case here used to take minutes or
blow up output before the guard it exercises was added.
"""

from __future__ import annotations

import time

import html2text
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.newsletter import newsletter
from tmtui.render import html_to_text

from .test_render import markdown_links
from .test_sanitize import FORBIDDEN


def timed(html: str, **limits: int) -> tuple[float, object]:
    started = time.perf_counter()
    rendered = html_to_text(html, **limits)
    return time.perf_counter() - started, rendered


def test_ten_thousand_nested_divs() -> None:
    elapsed, r = timed("<div>" * 10_000 + "deep text" + "</div>" * 10_000)
    assert elapsed < 2
    assert r.text.startswith("deep text")  # type: ignore[attr-defined]
    assert "nested deeper than 200 levels" in r.note  # type: ignore[attr-defined]


def test_five_thousand_nested_lists() -> None:
    html = "<ul><li>item" * 5000 + "</li></ul>" * 5000
    elapsed, r = timed(html)
    assert elapsed < 2
    lines = r.text.splitlines()  # type: ignore[attr-defined]
    assert len(lines) > 4000  # every item is still there, flattened past the limit
    assert max(map(len, lines[:-2])) <= 2 * 200 + 10  # indentation stops growing
    assert "nested deeper" in r.note  # type: ignore[attr-defined]


@pytest.mark.parametrize("html", [
    pytest.param("<blockquote>q" * 10_000, id="blockquotes"),  # one ">" per level per line
    pytest.param("<div><ul><li>x</div>" * 5000, id="lists-closed-by-outer-end"),
    pytest.param("<ol start=99999999999999999999><li>x" * 3000, id="huge-ol-start"),
    pytest.param("<ul>" * 199 + "<li>x</li>" * 100_000, id="legal-depth-many-items"),
    pytest.param("<a href='https://e.example/'>x" * 30_000, id="unclosed-anchors"),
    pytest.param("<p>x" * 100_000, id="unclosed-paragraphs"),
    pytest.param("<table>" + "<tr><td>x" * 50_000, id="unclosed-cells"),
    pytest.param("<font>x" * 50_000, id="unclosed-fonts"),
])
def test_nesting_tricks_stay_bounded(html: str) -> None:
    elapsed, r = timed(html)
    assert elapsed < 3
    assert len(r.text) < 1_100_000  # type: ignore[attr-defined]


@pytest.mark.parametrize("html", [
    # unfinished constructs: the stdlib parser re-scans to the end for each "<"
    pytest.param("<a " * 60_000, id="unfinished-tags"),
    pytest.param("<a b='" * 30_000, id="unfinished-quotes"),
    pytest.param("<!--" * 50_000, id="unfinished-comments"),
    pytest.param("<script>" + "</" * 100_000, id="unfinished-end-tags-in-script"),
    # html2text's list-marker escaping is quadratic on whitespace runs
    pytest.param("<p>x" + "\n" * 200_000 + "y", id="newline-run"),
    pytest.param("<p>" + " \n" * 100_000 + "</p>", id="space-newline-run"),
    # html2text's CSS parser is quadratic in @import rules
    pytest.param("<style>" + "@import url(x);" * 30_000 + "</style>", id="css-imports"),
    pytest.param("&#" * 150_000 + ";", id="bad-charrefs"),
    pytest.param("<pre>" + "\n" * 300_000 + "</pre>", id="pre-newlines"),
    pytest.param("<pre>a" + " " * 500_000 + "b</pre>", id="pre-spaces"),
    pytest.param("a" + "&#x301;" * 100_000, id="entity-zalgo"),
])
def test_parser_traps_stay_linear(html: str) -> None:
    elapsed, r = timed(html)
    assert elapsed < 3
    assert not FORBIDDEN.search(r.text)  # type: ignore[attr-defined]


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


def test_megabyte_newsletter_is_no_slower_than_bare_html2text() -> None:
    html = newsletter(1_000_000)
    html_to_text(html)  # warm up (tables, caches)

    def bare() -> None:
        parser = html2text.HTML2Text()
        parser.body_width = 0
        parser.handle(html)

    def best(function: object, runs: int = 3) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            function()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return min(times)

    ours, theirs = best(lambda: html_to_text(html)), best(bare)
    assert ours <= 1.3 * theirs, (ours, theirs)
    r = html_to_text(html)
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
