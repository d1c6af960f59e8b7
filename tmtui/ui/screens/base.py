"""What every tmtui screen shares: typed access to the app.

Screens never subscribe to the store: the App forwards each
:class:`~tmtui.ui.messages.StoreChanged` to every tmtui screen on the stack,
and a screen that cares handles it (``on_store_changed``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tmtui.ui.app import TmtuiApp

R = TypeVar("R")


class TmtuiScreen(Screen[R], Generic[R]):
    @property
    def tapp(self) -> TmtuiApp:
        return cast("TmtuiApp", self.app)
