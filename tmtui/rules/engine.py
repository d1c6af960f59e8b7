"""RuleEngine: the rules run on new mail, once per message, in the TUI and in ``tmtui watch``.

It is handed new mail only: the TUI's announcer passes the mail a store change
calls ``added`` (mail that arrived after the mailbox was first listed in this
run, never the old mail found at start), ``tmtui watch`` subscribes
:meth:`RuleEngine.changed` to the store, which does the same. Each message is
handled once, whatever number of changes name it.

For one mail: the rules whose listing conditions hold are picked; if one of
them needs the body (a ``body`` / ``has_code`` / ``has_link`` condition, or
``copy_*``, ``save_attachments``, ``run``, ``webhook``), the mail is read
once, through the client core (which marks it read on the server, as opening
it does), converted off the event loop, and the rest of the conditions are
checked. Every action of every matching rule then runs; one that fails is
reported and the others go on. ``delete_after`` deletes the mail that long
after (the shortest of the matching rules), once the other actions are done,
and only while tmtui runs. A few mails are handled at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from tmtui import mailjson
from tmtui.api.models import MessageSummary
from tmtui.humanize import describe
from tmtui.render import html_to_text
from tmtui.rules import actions
from tmtui.rules.actions import Outcome, Surface
from tmtui.rules.matching import Content, Envelope, matches, matches_listing
from tmtui.rules.model import Rule
from tmtui.safety import sanitize_line
from tmtui.store import Change
from tmtui.sync import SyncWorker

log = logging.getLogger("tmtui.rules")

PARALLEL = 4  # mails handled at once: a burst must not start fifty programs
REMEMBERED = 10_000  # ids kept to fire once per message


class CopyFailed(Exception):
    """The surface had nowhere to copy to."""


class RuleEngine:
    def __init__(self, core: SyncWorker, rules: Sequence[Rule], surface: Surface, *,
                 downloads: Path) -> None:
        self.core = core
        self.rules = tuple(rules)
        self.surface = surface
        self.downloads = downloads
        self._handled: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(PARALLEL)
        self._idle = asyncio.Event()
        self._idle.set()

    # Hearing of new mail ------------------------------------------------------

    def changed(self, change: Change) -> None:
        """A store listener: hand the new mail of ``change`` to :meth:`arrived`."""
        if not change.added or change.address is None:
            return
        mailbox = self.core.store.get(change.address)
        if mailbox is None:
            return
        added = set(change.added)
        self.arrived(mailbox.address, [m for m in mailbox.messages if m.id in added])

    def arrived(self, address: str, messages: Sequence[MessageSummary]) -> None:
        """New mail of one mailbox (any order): run the rules on each message not seen yet."""
        if not self.rules:
            return
        for message in sorted(messages, key=lambda m: m.timestamp):  # oldest first
            key = (address.lower(), message.id)
            if key in self._handled:
                continue
            self._handled[key] = None
            if len(self._handled) > REMEMBERED:
                self._handled.popitem(last=False)
            self._spawn(self._tasks, self._handle(address.lower(), message))

    def _spawn(self, tasks: set[asyncio.Task[None]], work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work, name="rules")
        tasks.add(task)
        if tasks is self._tasks:
            self._idle.clear()

        def done(finished: asyncio.Task[None]) -> None:
            tasks.discard(finished)
            if not self._tasks:
                self._idle.set()
            if not finished.cancelled() and finished.exception() is not None:  # a bug: say so, go on
                log.error("rule task failed", exc_info=finished.exception())

        task.add_done_callback(done)

    @property
    def scheduled(self) -> int:
        """Deletions (``delete_after``) still to come."""
        return len(self._timers)

    async def idle(self) -> None:
        """Until every mail heard of so far is handled (pending ``delete_after`` timers aside)."""
        await self._idle.wait()

    async def aclose(self) -> None:
        """Stop: cancel what is running (programs are killed) and pending deletions."""
        tasks = [*self._tasks, *self._timers]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # One mail -------------------------------------------------------------------

    async def _handle(self, address: str, summary: MessageSummary) -> None:
        async with self._slots:
            mailbox = self.core.store.get(address)
            label = getattr(mailbox, "label", None)  # saved mailboxes carry a label once the registry has it
            envelope = Envelope(address, summary, label if isinstance(label, str) and label else None)
            candidates = [rule for rule in self.rules if matches_listing(rule.match, envelope)]
            if not candidates:
                return
            content: Content | None = None
            if any(rule.needs_content for rule in candidates):
                content = await self._read(envelope, candidates)
            chosen = [rule for rule in candidates if matches(rule.match, envelope, content)]
            await asyncio.gather(*(self._act(rule, envelope, content) for rule in chosen))
            delays = [r.actions.delete_after for r in chosen if r.actions.delete_after is not None]
            if delays:
                self._spawn(self._timers, self._delete_later(envelope, chosen, min(delays)))

    async def _read(self, envelope: Envelope, candidates: list[Rule]) -> Content | None:
        """The mail, read once for every rule that needs it; a failure is each such rule's outcome."""
        address, summary = envelope.address, envelope.summary
        try:
            mail = await self.core.fetch(address, summary.id)
            document = await asyncio.to_thread(
                lambda: mailjson.message(address, mail, html_to_text(mail.html)))
        except Exception as exc:  # gone meanwhile, server trouble: the rules that need it cannot run
            for rule in candidates:
                if rule.needs_content:
                    self._report(rule, "read", envelope, False, f"cannot read the mail: {describe(exc)}")
            return None
        return Content(mail, document)

    def _report(self, rule: Rule, action: str, envelope: Envelope, ok: bool, detail: str) -> None:
        outcome = Outcome(rule, action, envelope.address, envelope.summary.id, ok, detail)
        log.info("%s", outcome)  # info: the surface shows it; a warning would reach stderr as well
        try:
            self.surface.report(outcome)
        except Exception:  # the surface's bug must not stop the rules
            log.exception("reporting a rule outcome failed")

    async def _act(self, rule: Rule, envelope: Envelope, content: Content | None) -> None:
        """Every action of ``rule`` on one mail; none stops another."""
        wanted = rule.actions
        self._surface_actions(rule, envelope, content)
        work: list[tuple[str, Awaitable[tuple[bool, str]]]] = []
        if wanted.mark_read:
            work.append(("mark_read", self._mark_read(envelope, content)))
        if content is not None:
            if wanted.save_attachments is not None:
                directory = self.downloads / wanted.save_attachments  # an absolute path stays itself
                work.append(("save_attachments",
                             _ok(actions.save_attachments(self.core, envelope, content, directory))))
            if wanted.run:
                work.append(("run", actions.run(rule, envelope, content)))
            if wanted.webhook is not None:
                work.append(("webhook", actions.webhook(rule, envelope, content)))
        results = await asyncio.gather(*(awaitable for _, awaitable in work), return_exceptions=True)
        for (action, _), result in zip(work, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, BaseException):
                self._report(rule, action, envelope, False, describe(result))
            else:
                self._report(rule, action, envelope, *result)

    def _surface_actions(self, rule: Rule, envelope: Envelope, content: Content | None) -> None:
        wanted, summary = rule.actions, envelope.summary
        steps: list[tuple[str, Callable[[], str | None]]] = []
        if wanted.notify:
            title = f"{rule.name or 'Rule'}: {sanitize_line(envelope.label or envelope.address, 60)}"
            text = f"{sanitize_line(summary.sender, 60)}: {sanitize_line(summary.subject, 80)}"
            steps.append(("notify", lambda: self._notify(title, text)))
        if wanted.bell:
            steps.append(("bell", self.surface.bell))
        if wanted.copy_code and content is not None:
            steps.append(("copy_code", lambda: self._copy(content.code, "code")))
        if wanted.copy_link and content is not None:
            steps.append(("copy_link", lambda: self._copy(content.link, "link")))
        for action, step in steps:
            try:
                detail = step() or "done"
            except CopyFailed as exc:
                self._report(rule, action, envelope, False, str(exc))
            except Exception as exc:
                self._report(rule, action, envelope, False, describe(exc))
            else:
                self._report(rule, action, envelope, True, detail)

    def _notify(self, title: str, text: str) -> str:
        self.surface.notify(title, text)
        return text

    def _copy(self, value: str | None, what: actions.Copied) -> str:
        if value is None:
            return f"no {what} in the mail, nothing copied"
        if not self.surface.copy(value, what):
            raise CopyFailed(f"cannot copy the {what} here (no terminal)")
        return f"copied {what} {sanitize_line(value, 80)}"

    async def _mark_read(self, envelope: Envelope, content: Content | None) -> tuple[bool, str]:
        if content is None:  # reading it is what marks it read; once read for a rule, it is
            await self.core.fetch(envelope.address, envelope.summary.id)
        return True, "marked read"

    async def _delete_later(self, envelope: Envelope, rules: list[Rule], delay: float) -> None:
        await asyncio.sleep(delay)
        rule = min((r for r in rules if r.actions.delete_after is not None),
                   key=lambda r: r.actions.delete_after or 0.0)
        try:
            await self.core.delete(envelope.address, [envelope.summary.id])
        except Exception as exc:
            self._report(rule, "delete_after", envelope, False, describe(exc))
        else:
            self._report(rule, "delete_after", envelope, True, "deleted")


async def _ok(work: Awaitable[str]) -> tuple[bool, str]:
    return True, await work
