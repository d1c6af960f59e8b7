"""What every tmtui screen shares: typed access to the app and a store subscription."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.screen import Screen

from tmtui.ui.messages import StoreChanged

if TYPE_CHECKING:
    from tmtui.ui.app import TmtuiApp

R = TypeVar("R")


class TmtuiScreen(Screen[R], Generic[R]):
    @property
    def tapp(self) -> TmtuiApp:
        return cast("TmtuiApp", self.app)

    def on_mount(self) -> None:
        self._unsubscribe = self.tapp.store.subscribe(
            lambda change: self.post_message(StoreChanged(change)))

    def on_unmount(self) -> None:
        self._unsubscribe()
