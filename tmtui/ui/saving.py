"""Save one attachment with a progress bar: streamed, atomic, under a safe name."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import ProgressBar

from tmtui.api.models import Attachment
from tmtui.files import Sink, save_atomically

if TYPE_CHECKING:
    from tmtui.ui.screens.base import TmtuiScreen

PROGRESS_INTERVAL = 1 / 30  # seconds between two updates of the progress bar


async def save_attachment(screen: TmtuiScreen[Any], address: str, message_id: str,
                          attachment: Attachment) -> Path | None:
    """Returns the saved path, or None after telling the user why it failed.

    ``screen`` shows a ``#save-progress`` bar (the reader, All mailboxes). ``address`` is the
    message's mailbox when the save began: the reader may have moved to another one since."""
    app = screen.tapp
    bar = screen.query_one("#save-progress", ProgressBar)
    bar.display = True
    bar.update(total=attachment.size or None, progress=0)

    shown = [0.0]  # when the bar was last updated

    def progress(received: int, total: int | None) -> None:
        # Chunks come every 64 KB: a fast download would update the bar ~80 times
        # per 5 MB. Frames come at most 60 times a second, so more is wasted work.
        now = time.monotonic()
        if now - shown[0] >= PROGRESS_INTERVAL or (total is not None and received >= total):
            shown[0] = now
            bar.update(total=total or attachment.size or None, progress=received)

    async def write(sink: Sink) -> int:
        return await app.sync.download(address, message_id, attachment.name, sink,
                                       expected_size=attachment.size, on_progress=progress)

    try:
        return await save_atomically(app.config.downloads, attachment.name, write)
    except Exception as exc:
        app.report_error(exc)
        return None
    finally:
        bar.display = False
