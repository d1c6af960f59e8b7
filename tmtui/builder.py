"""``build_app``: the one place a TmtuiApp is built, with its API client.

The entry points (``tmtui``, ``tmtui demo``), the snapshot and screenshot
scenes, the benchmarks and the tests all build the app here, so they run the
same wiring: the client takes the server, timeout and language from the
config, and the app owns (and closes) it.

Textual and the API client are imported when an app is built, not when this
module is imported: ``tmtui --version`` and the headless commands never pay
for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from tmtui.config import Config
    from tmtui.state import SavedMailbox
    from tmtui.ui.app import TmtuiApp


def build_app(config: Config, *, saved: Sequence[SavedMailbox] = (), start_address: str | None = None,
              warnings: Sequence[str] = (), persist: bool = True, banner: str | None = None,
              transport: httpx.AsyncBaseTransport | None = None) -> TmtuiApp:
    """The app on ``config.server`` with the ``saved`` mailboxes.

    ``start_address`` opens that mailbox at start (as ``tmtui --address``);
    ``warnings`` are shown once the app runs; ``persist`` False keeps the
    state file and the remembered theme untouched (the demo); ``banner`` is a
    line shown above the screens; ``transport`` replaces the network (tests
    inject faults with it).
    """
    from tmtui.api.client import TempMailClient
    from tmtui.ui.app import TmtuiApp

    client = TempMailClient(config.server, timeout=config.timeout, lang=config.lang, transport=transport)
    return TmtuiApp(config, client, saved=saved, start_address=start_address, warnings=warnings,
                    persist=persist, banner=banner)
