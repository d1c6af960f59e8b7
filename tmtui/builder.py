"""``build_app``: the one place a TmtuiApp is built, with its client core.

The entry points (``tmtui``, ``tmtui demo``), the snapshot and screenshot
scenes, the benchmarks and the tests all build the app here, so they run the
same wiring: the API client takes the server, timeout and language from the
config; the sync core (:class:`tmtui.sync.SyncWorker`) owns and closes it, and
reads the saved mailboxes of this server from the state file.

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
    from tmtui.ui.app import Banner, TmtuiApp


def build_app(config: Config, *, saved: Sequence[SavedMailbox] | None = None, start_address: str | None = None,
              warnings: Sequence[str] = (), persist: bool = True, banner: Banner | None = None,
              transport: httpx.AsyncBaseTransport | None = None) -> TmtuiApp:
    """The app on ``config.server`` with the ``saved`` mailboxes (None: the state file's).

    ``start_address`` opens that mailbox at start (as ``tmtui --address``);
    ``warnings`` are shown once the app runs; ``persist`` False keeps the
    state file and the remembered theme untouched (the demo); ``banner`` is a
    line shown above the screens, or a function of the open mailbox's address
    (the demo's); ``transport`` replaces the network (tests inject faults with it).
    """
    from tmtui.api.client import TempMailClient
    from tmtui.store import SessionStore
    from tmtui.sync import SyncWorker
    from tmtui.ui.app import TmtuiApp

    client = TempMailClient(config.server, timeout=config.timeout, lang=config.lang, transport=transport)
    sync = SyncWorker(client, SessionStore(), config, persist=persist)
    return TmtuiApp(config, sync, saved=saved, start_address=start_address, warnings=warnings,
                    banner=banner)
