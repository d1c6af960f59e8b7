"""Save the attachments of a listed message without opening it (`a` in All mailboxes).

As the reader saves (:mod:`tmtui.ui.saving`): streamed, atomic, under a safe
name in the download dir, with a progress bar; one attachment at once, several
through the chooser. The message is fetched first (which marks it read, as
opening it would): a listing does not carry the attachments' names.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import ProgressBar

from tmtui.api.models import Attachment
from tmtui.files import Sink, save_atomically
from tmtui.safety import sanitize_line
from tmtui.ui.saving import PROGRESS_INTERVAL

if TYPE_CHECKING:
    from tmtui.ui.screens.base import TmtuiScreen


async def save_listed(screen: TmtuiScreen[Any], address: str, message_id: str) -> None:
    """Fetch the message, ask which attachments (when several) and save them; errors are told, never raised."""
    from tmtui.ui.dialogs.attachments import AttachmentDialog

    app = screen.tapp
    message = await app.attempt(app.sync.fetch(address, message_id))
    if message is None:
        return
    if not message.attachments:
        screen.notify("This message has no attachments", timeout=3)
        return
    chosen: list[int] | None = [0]
    if len(message.attachments) > 1:
        chosen = await app.push_screen_wait(AttachmentDialog(message.attachments))
    for index in chosen or []:
        path = await _save_one(screen, address, message_id, message.attachments[index])
        if path is None:
            break
        screen.notify(f"Saved {sanitize_line(str(path), 500)}", markup=False, timeout=8)


async def _save_one(screen: TmtuiScreen[Any], address: str, message_id: str,
                    attachment: Attachment) -> Path | None:
    app = screen.tapp
    bar = screen.query_one("#save-progress", ProgressBar)
    bar.display = True
    bar.update(total=attachment.size or None, progress=0)
    shown = [0.0]

    def progress(received: int, total: int | None) -> None:
        now = time.monotonic()  # frames come at most 60 times a second: more updates are wasted
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
