"""Save the attachments of a listed message without opening it (`a` in All mailboxes).

As the reader saves (:mod:`tmtui.ui.saving`): streamed, atomic, under a safe
name in the download dir, with a progress bar; one attachment at once, several
through the chooser. The message is fetched first (which marks it read, as
opening it would): a listing does not carry the attachments' names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tmtui.safety import sanitize_line
from tmtui.ui.saving import save_attachment

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
        path = await save_attachment(screen, address, message_id, message.attachments[index])
        if path is None:
            break
        screen.notify(f"Saved {sanitize_line(str(path), 500)}", markup=False, timeout=8)

