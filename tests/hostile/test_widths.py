"""Issue 12.2 and 12.3: invisible and mis-measured characters, and cleaning before cutting.

A terminal measures text with wcwidth; Textual lays it out with Rich. Text the
two measure differently is drawn where it was not laid out: padding that is
invisible to Rich pushes the real address or a row's columns off the screen.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from wcwidth import wcswidth

from tmtui.safety import sanitize_line, sanitize_text
from tmtui.ui.widgets.message_list import to_row

from .samples import summary

# Characters that are invisible, measured differently, or change the width of
# their neighbours.
TRICKY = [
    "\u3164", "\uffa0", "\u115f", "\u1160", "\u2800", "\u034f", "\u17b4", "\u180b", "\ufe0f",
    "\ufe0e", "\U000e0100", "\U0001f3fd", "\U0001f1eb", "\U0001f1f7", "\u200d", "\u200b",
    "\u093f", "\u094d", "\u0915", "\u0bcd", "\u0b95", "\u0301", "\u1100", "\u1161", "\u11a8",
    "\u231a", "\u2764", "\U0001f44d", "\U0001f469", "\u0600", "\u00ad", "漢", "a", " ", "@",
]
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.characters(codec=None)),
                       max_size=120).map("".join)


@settings(max_examples=600, deadline=None)
@given(tricky_text, st.integers(min_value=1, max_value=80))
def test_a_sanitised_line_has_one_width_for_rich_and_the_terminal(raw: str, cap: int) -> None:
    out = sanitize_line(raw, max_len=cap)
    assert cell_len(out) == wcswidth(out)
    assert cell_len(out) <= cap


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_string_sanitised_measures_the_same(raw: str) -> None:
    out = sanitize_line(raw, max_len=500)
    assert cell_len(out) == wcswidth(out)


def test_every_default_ignorable_code_point_is_removed_everywhere() -> None:
    ignorable = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180e\u180f\u200b\u200f\u202a"
                 "\u2060\u2064\u2066\u206f\u3164\ufe00\ufe0f\ufeff\uffa0\ufff0"
                 "\U0001bca0\U0001d173\U000e0001\U000e0041\U000e0100\U000e01ef\U000e0fff")
    for char in ignorable:
        assert sanitize_text(f"a{char}b") == "ab", hex(ord(char))
        assert sanitize_line(f"a{char}b") == "ab", hex(ord(char))


def test_hangul_fillers_cannot_push_the_real_address_off_the_row() -> None:
    sender = '"service@paypal.com' + "\u3164" * 70 + '" <attacker@evil.test>'
    shown = sanitize_line(sender, 60)
    assert "attacker@evil.test" in shown and "\u3164" not in shown


def test_lone_modifiers_and_regional_indicators_are_replaced_pairs_kept() -> None:
    assert sanitize_line("a\U0001f3fd") == "a\ufffd"  # 2 cells in a terminal, 0 for Rich
    assert sanitize_line("\U0001f44d\U0001f3fd ok") == "\U0001f44d\U0001f3fd ok"  # on its base
    assert sanitize_line("\U0001f1eb\U0001f1f7\U0001f1eb") == "\U0001f1eb\U0001f1f7\ufffd"
    assert sanitize_line("flag \U0001f1eb\U0001f1f7") == "flag \U0001f1eb\U0001f1f7"


def test_a_padded_subject_leaves_the_row_columns_where_they_belong() -> None:
    row = to_row(summary(subject="Invoice" + "\u3164\U0001f3fd\u2800" * 200 + " due",
                         sender="Billing" + "\uffa0" * 100 + " <b@shop.test>"))
    assert row.subject.startswith("Invoic") and cell_len(row.subject) == wcswidth(row.subject)
    assert cell_len(row.sender) == wcswidth(row.sender)
    assert "\u3164" not in row.subject and "\uffa0" not in row.sender


def test_invisible_padding_is_cleaned_before_the_cut() -> None:
    """12.3: a subject of thousands of invisible characters shows what follows them."""
    subject = "\u200b\u3164\ufe0f\u2060" * 5000 + "Your code is 482913"
    assert sanitize_line(subject, 80) == "Your code is 482913"
    assert sanitize_line("x" + "\u034f" * 10_000 + " tail", 40) == "x tail"


async def test_every_inbox_row_is_as_wide_on_the_terminal_as_on_the_screen(server, tmp_path) -> None:
    """A terminal draws a row with wcwidth; Textual laid it out with Rich. With fillers,
    lone skin tones and odd flags in the subject, they must still agree cell for cell."""
    from tests.support.mail import build_mail, deliver
    from tests.support.waiting import screen_text, until
    from tmtui.builder import build_app
    from tmtui.config import Config

    app = build_app(Config(server=server.base_url, download_dir=tmp_path / "downloads"), saved=(),
                    persist=False)
    width = 100
    async with app.run_test(size=(width, 24)) as pilot:
        store = app.store
        await until(lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live", 20, what="live")
        address = store.mailboxes[0].address
        subject = "Invoice" + "\U0001f3fd\u3164\U0001f1eb" * 40 + " due"
        await deliver(server.smtp_port, address, build_mail(
            address, subject=subject, sender='"Billing' + "\uffa0" * 60 + '" <billing@shop.test>'))
        await until(lambda: "Invoice" in screen_text(pilot), 20, what="the row")
        await pilot.pause(0.1)
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        row = next(r for r in rows if "Invoice" in r)
        assert wcswidth(row) == cell_len(row) == width, row
        assert row.rstrip().endswith("just now")  # the time column stays in its place


@pytest.mark.parametrize("tty", [True, False])
def test_tmtui_inbox_prints_no_filler(tty: bool) -> None:
    """`tmtui inbox` printed 130 U+3164 of one padded sender."""
    from tmtui.headless.output import message_line

    line = message_line(summary(subject="Hi" + "\u3164" * 130, sender='"Bank' + "\u3164" * 130 + '" <b@bank.test>'),
                        tty=tty)
    assert "\u3164" not in line and "Bank <b@bank.test>" in line
