"""The code badge stays readable on the cursor row, on marked rows and on new mail.

Measured on what the terminal gets: the badge's cells as the compositor draws
them (after Textual's filters, so NO_COLOR is included), with their colours
brought down to what 256- and 16-colour terminals show, in every theme.
"""

from __future__ import annotations

import pytest
import textual.constants
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME, TerminalTheme

from tests.support.mail import build_mail
from tests.support.waiting import first_inbox, screen_text, screen_until
from tmtui.ui.widgets.message_list import MessageList

CODES = {"cursor": "482913", "marked": "719304", "new": "550271"}
MIN_CONTRAST = 3.0  # WCAG's floor for bold text
SYSTEMS = (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def shown(color: Color, system: ColorSystem, palette: TerminalTheme, *,
          foreground: bool) -> tuple[int, int, int]:
    """The colour a terminal of ``system`` with this palette shows."""
    return tuple(color.downgrade(system).get_truecolor(palette, foreground=foreground))


def ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def badge_style(app, code: str) -> Style:
    """The style of the segment that draws ``code`` as a badge (not as subject text)."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.text.strip() == code and segment.style is not None:
                return segment.style
    raise AssertionError(f"no badge {code} on screen:\n{screen_text(app)}")


def badge_contrast(style: Style, system: ColorSystem, palettes: tuple[TerminalTheme, ...]) -> float:
    """The worst contrast over the palettes: ANSI colours are the terminal's to choose."""
    assert style.color is not None and style.bgcolor is not None, f"badge colours left open: {style}"
    worst = float("inf")
    for palette in palettes:
        fg = shown(style.color, system, palette, foreground=True)
        bg = shown(style.bgcolor, system, palette, foreground=False)
        worst = min(worst, ratio(fg, bg))  # reverse video swaps the two: the same pair
    return worst


async def _inbox_with_every_case(app, server, pilot) -> MessageList:
    """Three code mails: the cursor on one, one marked, one arrived while the inbox is open."""
    mailbox = await first_inbox(pilot)
    messages = app.screen.query_one(MessageList)

    def mail(code: str) -> bytes:
        return build_mail(mailbox.address, subject="Sign-in", text=f"Your verification code is {code}.")

    server.control.deliver_many(mailbox.address, [mail(CODES["marked"]), mail(CODES["cursor"])])
    await screen_until(pilot, lambda: len(messages.rows) == 2)
    messages.new_ids = frozenset()  # these two are not the new-mail case
    await pilot.press("g", "j", "space", "k")  # mark the older, back to the newer
    server.control.deliver(mailbox.address, mail(CODES["new"]))
    await screen_until(pilot, lambda: len(messages.rows) == 3)
    await screen_until(pilot, lambda: all(code in screen_text(pilot) for code in CODES.values()))
    rows = {row.id: row for row in messages.rows}
    assert messages.current_id is not None and messages.marked and messages.new_ids
    assert CODES["cursor"] in rows[messages.current_id].excerpt
    return messages


async def _check_every_case(app, pilot, theme: str, systems: tuple[ColorSystem, ...]) -> list[str]:
    failures = []
    app.theme = theme
    await pilot.pause()
    await pilot.pause()
    # ANSI colours are the terminal's to choose: Rich's xterm-like palette, and Textual's own.
    palettes = (DEFAULT_TERMINAL_THEME, app.ansi_theme_dark, app.ansi_theme_light)
    text = list_text_style(app)
    for case, code in CODES.items():
        style = badge_style(app, code)
        for system in systems:
            # A theme whose own text is dim in this colour depth caps what any badge can reach.
            wanted = min(MIN_CONTRAST, badge_contrast(text, system, palettes))
            measured = badge_contrast(style, system, palettes)
            if measured < wanted:
                failures.append(f"{theme} {case} {system.name}: {measured:.2f} < {wanted:.2f} ({style})")
    return failures


def list_text_style(app) -> Style:
    """The list's own text colours as the terminal gets them (after Textual's filters)."""
    messages = app.screen.query_one(MessageList)
    segments = [Segment("x", messages.rich_style)]
    for line_filter in app.get_line_filters():
        segments = line_filter.apply(segments, messages.background_colors[1])
    assert segments[0].style is not None
    return segments[0].style


async def _every_theme(app, server, systems: tuple[ColorSystem, ...]) -> None:
    async with app.run_test(size=(100, 24)) as pilot:
        await _inbox_with_every_case(app, server, pilot)
        failures = []
        for theme in sorted(app.available_themes):
            failures += await _check_every_case(app, pilot, theme, systems)
        assert not failures, "badge hard to read:\n" + "\n".join(failures)


async def test_badge_readable_in_every_theme_with_256_colours_or_more(make_app, server) -> None:
    await _every_theme(make_app(), server, (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT))


async def test_badge_readable_in_every_theme_with_16_colours(make_app, server,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")  # as TERM=xterm makes it
    app = make_app()
    assert app.console.color_system == "standard"
    await _every_theme(app, server, (ColorSystem.STANDARD,))


async def test_badge_readable_with_no_color(make_app, server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # Textual reads it when the App is built
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await _inbox_with_every_case(app, server, pilot)
        failures = []
        for theme in ("textual-dark", "textual-light"):
            failures += await _check_every_case(app, pilot, theme, SYSTEMS)
        assert not failures, "badge hard to read:\n" + "\n".join(failures)


async def test_marked_and_new_rows_are_readable_in_every_theme(make_app, server) -> None:
    """The same class as the badge: a row's state colour must not make its text unreadable."""
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await _inbox_with_every_case(app, server, pilot)
        failures = []
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            await pilot.pause()
            for case in ("marked", "new"):
                strip = next(s for s in app.screen._compositor.render_strips()
                             if CODES[case] in "".join(segment.text for segment in s))
                subject = next(segment for segment in strip if "Sign-in" in segment.text)
                assert subject.style is not None
                # The 256-colour cube rounds colours a little: a little less is asked there.
                for system, wanted in ((ColorSystem.TRUECOLOR, MIN_CONTRAST), (ColorSystem.EIGHT_BIT, 2.5)):
                    measured = badge_contrast(subject.style, system, (DEFAULT_TERMINAL_THEME,))
                    if measured < wanted:
                        failures.append(f"{theme} {case} row {system.name}: {measured:.2f}")
        assert not failures, "row text hard to read:\n" + "\n".join(failures)
