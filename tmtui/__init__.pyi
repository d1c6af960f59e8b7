# For type checkers: tmtui/__init__.py imports these lazily, on first use.
from tmtui.pyapi.async_mailbox import AsyncMailbox as AsyncMailbox
from tmtui.pyapi.message import Message as Message
from tmtui.pyapi.sync_mailbox import Mailbox as Mailbox

__version__: str
__all__ = ["AsyncMailbox", "Mailbox", "Message", "__version__"]
