"""A `theme` in the config file is a setting; only a theme picked in the app is remembered.

Removing the setting brings back what the user last picked in the app, or the
default: the config's value is never written down as if it had been chosen.
"""

from __future__ import annotations

from tests.support.waiting import screen_until
from tmtui import state


async def test_theme_from_the_config_is_not_remembered(make_app) -> None:
    configured = make_app(config={"theme": "nord"})
    async with configured.run_test(size=(80, 24)) as pilot:
        await screen_until(pilot, lambda: configured.theme == "nord")
        await pilot.pause()  # Textual announces the theme change on the next message
    assert "theme" not in state.load_preferences()

    plain = make_app()
    async with plain.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert plain.theme == "textual-dark"


async def test_a_theme_picked_in_the_app_comes_back_when_the_setting_goes(make_app) -> None:
    configured = make_app(config={"theme": "nord"})
    async with configured.run_test(size=(80, 24)) as pilot:
        await screen_until(pilot, lambda: configured.theme == "nord")
        await pilot.pause()
        configured.theme = "dracula"  # as the command palette does
        await screen_until(pilot, lambda: state.load_preferences().get("theme") == "dracula")

    again = make_app(config={"theme": "nord"})  # the setting still wins while it is there
    async with again.run_test(size=(80, 24)) as pilot:
        await screen_until(pilot, lambda: again.theme == "nord")
        await pilot.pause()
    assert state.load_preferences().get("theme") == "dracula"

    unset = make_app()  # setting removed: the choice made in the app
    async with unset.run_test(size=(80, 24)) as pilot:
        await screen_until(pilot, lambda: unset.theme == "dracula")
