"""The Python API: disposable mailboxes for scripts and tests, on the same core as the TUI.

    from tmtui import Mailbox

    with Mailbox.create(server="http://127.0.0.1:8025") as box:
        sign_up(box.address)                             # your code
        msg = box.wait(subject=r"verify", timeout=60)    # -> Message
        code = box.wait_for_code(timeout=60)             # str, or TimeoutError
        box.save(msg, "attachments/")
        box.delete(msg)

:class:`AsyncMailbox` has the same methods as coroutines (``aclose`` /
``async with`` to close); :class:`Mailbox` runs one on an event loop thread of
its own, so its event stream stays open across calls. Both are built on
:class:`tmtui.sync.SyncWorker`: the event stream with polling fallback,
session renewal and recovery of the TUI, and the waiting logic of
``tmtui wait`` (:mod:`tmtui.sync.arrivals`): a mail that arrives right after
the mailbox was made, or before ``wait`` is called, is not missed.

Errors: TimeoutError (nothing matched in time), :class:`MailboxLost` (taken
over elsewhere, or gone), ValueError (an invalid name or unknown domain), and
:class:`tmtui.api.errors.ApiError` and its kinds for what the server said
(:class:`AddressInUse`, :class:`NotFound`, ``RateLimited``, ``TransportError``...).

The pytest plugin (:mod:`tmtui.pytest_plugin`) hands out a ``temp_mailbox``.
"""

from __future__ import annotations

from tmtui.api.errors import AddressInUse, ApiError, NotFound
from tmtui.pyapi.async_mailbox import AsyncMailbox
from tmtui.pyapi.message import Attachment, Message, Summary
from tmtui.pyapi.sync_mailbox import Mailbox
from tmtui.sync.arrivals import MailboxLost

__all__ = ["AddressInUse", "ApiError", "AsyncMailbox", "Attachment", "Mailbox", "MailboxLost", "Message",
           "NotFound", "Summary"]
