"""The client core shared by the TUI, the headless commands and the Python API.

:class:`SyncWorker` owns the API client; watchers keep each mailbox current
(stream or poll, renewal, recovery); :mod:`~tmtui.sync.persistence` keeps the
state file, shared safely with other processes. Only this package (and the app
builder that creates it) talks to :mod:`tmtui.api.client`.
"""

from __future__ import annotations

from tmtui.sync.worker import SyncWorker

__all__ = ["SyncWorker"]
