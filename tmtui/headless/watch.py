"""``tmtui watch``: every saved mailbox of the server live, one JSON line per event, and the rules.

It runs the client core as the TUI does (:meth:`SyncWorker.run`: a watcher per
saved mailbox, the event stream with the same fallbacks, the state file kept
and followed, so a mailbox ``tmtui new`` adds elsewhere is watched at once)
and prints to stdout, one compact JSON object per line, flushed::

    {"event": "state", "at": "...", "address": "k3x9@a.test", "label": null,
     "state": "live" | "polling" | "reconnecting" | "offline" | "lost" | "forgotten",
     "detail": "..."}
    {"event": "mail", "at": "...", "address": "...", "label": null, "id": "42",
     "from": "...", "subject": "...", "excerpt": "...", "date": "...", "read": false,
     "has_attachments": false, "folder": "INBOX"}
    {"event": "deleted", "at": "...", "address": "...", "label": null, "id": "42"}

``mail`` is new mail only: what arrives while it runs, never what was there at
start (the store's ``added``, as the TUI announces). Every string is
sanitised. The ``[[rules]]`` of the config run on each new mail (unless
``--no-rules``); what each action did is one line on stderr. A rule with a
problem stops it before it starts (exit 2). It runs until interrupted: Ctrl-C
exits 130, SIGTERM 143, after stopping any program a rule started.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import signal
import sys
from datetime import UTC, datetime
from typing import Any

from tmtui import mailjson
from tmtui.headless import EXIT_INTERRUPTED, EXIT_USAGE, schema
from tmtui.headless.session import Context, HeadlessError, warn
from tmtui.rules import Rule, parse_rules
from tmtui.rules.actions import Copied, Outcome
from tmtui.rules.engine import RuleEngine
from tmtui.safety import sanitize_line
from tmtui.store import Change, SessionStore

EXIT_TERMINATED = 143  # 128 + SIGTERM


class Events:
    """The store's changes as JSON lines on stdout. A store listener: quick, never raises."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self.gone = asyncio.Event()  # the reader of stdout went away
        self._states: dict[str, str] = {}
        self._known = {m.address for m in store.mailboxes}

    def changed(self, change: Change) -> None:
        try:
            self._print(change)
        except BrokenPipeError:
            self.gone.set()

    def _print(self, change: Change) -> None:
        address = change.address
        if address is None:
            return
        mailbox = self.store.get(address)
        if mailbox is None:
            if address in self._known:
                self._known.discard(address)
                self._emit("state", address, None, state="forgotten", detail="")
            return
        self._known.add(address)
        label = _label(mailbox)
        if mailbox.connection != self._states.get(address) or change.touches("connection"):
            self._states[address] = mailbox.connection
            self._emit("state", address, label, state=mailbox.connection,
                       detail=sanitize_line(mailbox.detail, 300))
        present = {m.id: m for m in mailbox.messages}
        for message in sorted((present[i] for i in change.added if i in present), key=lambda m: m.timestamp):
            self._emit("mail", address, label, **schema.summary(message))
        for message_id in change.removed:
            if message_id not in present:
                self._emit("deleted", address, label, id=mailjson.line(message_id))

    def _emit(self, event: str, address: str, label: str | None, **fields: Any) -> None:
        document = {"event": event, "at": mailjson.iso(datetime.now(UTC)), "address": mailjson.line(address),
                    "label": label, **fields}
        print(json.dumps(document, ensure_ascii=False), flush=True)


def _label(mailbox: object) -> str | None:
    label = getattr(mailbox, "label", None)  # saved mailboxes carry a label once the registry has it
    return mailjson.line(label) if isinstance(label, str) and label else None


def _terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class StderrSurface:
    """The UI-only actions without a UI: a line, a BEL, OSC 52 on the terminal (stderr)."""

    def notify(self, title: str, text: str) -> None:
        """The outcome line on stderr is the notice."""

    def bell(self) -> None:
        if _terminal():
            sys.stderr.write("\a")
            sys.stderr.flush()

    def copy(self, value: str, what: Copied) -> bool:
        if not _terminal():
            return False
        encoded = base64.b64encode(sanitize_line(value, 10_000).encode("utf-8")).decode("ascii")
        sys.stderr.write(f"\x1b]52;c;{encoded}\x07")  # OSC 52: works over SSH too
        sys.stderr.flush()
        return True

    def report(self, outcome: Outcome) -> None:
        warn(str(outcome))


def load_rules(ctx: Context) -> list[Rule]:
    """The config's rules; any problem ends the command before it starts (exit 2)."""
    rules, errors = parse_rules(ctx.config.rules)
    if errors:
        for error in errors[:-1]:
            warn(f"config: {error}")
        raise HeadlessError(EXIT_USAGE, f"config: {errors[-1]}")
    return rules


async def cmd_watch(ctx: Context, args: argparse.Namespace) -> int:
    rules = [] if args.no_rules else load_rules(ctx)
    core = ctx.core
    events = Events(core.store)
    engine = RuleEngine(core, rules, StderrSurface(), downloads=ctx.config.downloads)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    if _terminal():
        count = len(core.store.mailboxes)
        warn(f"watching {count} mailbox{'es' if count != 1 else ''} with {len(rules)} "
             f"rule{'s' if len(rules) != 1 else ''} (Ctrl-C stops)")
    if not core.store.mailboxes:
        warn("no saved mailbox yet: mailboxes created with `tmtui new` are watched as they appear")
    unsubscribe = [core.store.subscribe(events.changed), core.store.subscribe(engine.changed)]
    running = asyncio.create_task(core.run(), name="sync")
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(events.gone.wait())]
    try:
        await asyncio.wait([running, *waiters], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for undo in unsubscribe:
            undo()
        for task in (running, *waiters):
            task.cancel()
        await engine.aclose()
        await asyncio.gather(running, *waiters, return_exceptions=True)
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
    if events.gone.is_set():
        raise BrokenPipeError
    failure = running.exception() if running.done() and not running.cancelled() else None
    if failure is not None:
        raise failure
    return EXIT_TERMINATED if stop.is_set() else EXIT_INTERRUPTED
