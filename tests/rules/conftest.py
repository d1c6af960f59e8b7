"""The rule engine on the real client core, against the real reference server, with real SMTP.

- ``core``: a running SyncWorker (nothing saved);
- ``mailbox``: a new mailbox of ``core``, live (its event stream open);
- ``rig``: ``engine = rig.start([{"subject": "code", "run": [...]}])`` parses the
  rules, starts an engine fed by the store (as ``tmtui watch`` does) and
  closes it after the test; ``await rig.arrive(raw)`` delivers a mail over
  SMTP and resolves once the engine has handled it. The surface records what
  the engine asked of it (the UI-only actions) and every outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.mail import deliver
from tests.support.waiting import store_until
from tmtui.api.models import MessageSummary
from tmtui.rules import parse_rules
from tmtui.rules.actions import Copied, Outcome
from tmtui.rules.engine import RuleEngine
from tmtui.server.runner import ReferenceServer
from tmtui.sync import SyncWorker


@dataclass
class RecordingSurface:
    """The Surface interface, recording: the test's window on the UI-only actions."""

    notices: list[tuple[str, str]] = field(default_factory=list)
    bells: int = 0
    copied: list[tuple[str, Copied]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def notify(self, title: str, text: str) -> None:
        self.notices.append((title, text))

    def bell(self) -> None:
        self.bells += 1

    def copy(self, value: str, what: Copied) -> bool:
        self.copied.append((value, what))
        return True

    def report(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def of(self, action: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == action]



@pytest.fixture
async def mailbox(core: SyncWorker) -> str:
    address = await core.create()
    core.focus(address)
    await store_until(core.store, lambda: core.store.get(address).connection == "live")
    return address


class Rig:
    def __init__(self, core: SyncWorker, server: ReferenceServer, address: str, downloads: Path) -> None:
        self.core = core
        self.server = server
        self.address = address
        self.downloads = downloads
        self.surface = RecordingSurface()
        self.engines: list[RuleEngine] = []

    def start(self, tables: list[dict[str, object]]) -> RuleEngine:
        rules, errors = parse_rules(tables)
        assert errors == []
        engine = RuleEngine(self.core, rules, self.surface, downloads=self.downloads)
        self.core.store.subscribe(engine.changed)
        self.engines.append(engine)
        return engine

    async def arrive(self, raw: bytes) -> MessageSummary:
        """Deliver ``raw``; the new message once every engine has handled it."""
        mailbox = self.core.store.get(self.address)
        assert mailbox is not None
        known = {m.id for m in mailbox.messages}
        await deliver(self.server.smtp_port, self.address, raw)
        await store_until(self.core.store, lambda: any(m.id not in known for m in mailbox.messages),
                          what="the mail in the store")
        for engine in self.engines:
            await asyncio.wait_for(engine.idle(), 30)
        return next(m for m in mailbox.messages if m.id not in known)


@pytest.fixture
async def rig(core: SyncWorker, server: ReferenceServer, mailbox: str, downloads: Path) -> AsyncIterator[Rig]:
    made = Rig(core, server, mailbox, downloads)
    yield made
    for engine in made.engines:
        await engine.aclose()
