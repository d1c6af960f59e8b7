"""tmtui: a keyboard-first terminal client for disposable TempMail MMO mailboxes.

The Python API is here too: ``from tmtui import Mailbox, AsyncMailbox, Message``
(:mod:`tmtui.pyapi`). It is imported on first use, so ``import tmtui`` and
``tmtui --version`` stay fast; ``__init__.pyi`` tells type checkers what it holds.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

__all__ = ["AsyncMailbox", "Mailbox", "Message", "__version__"]

_LAZY = {"AsyncMailbox": "tmtui.pyapi.async_mailbox", "Mailbox": "tmtui.pyapi.sync_mailbox",
         "Message": "tmtui.pyapi.message"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tmtui' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
