"""Walk a batch of hostile cases through one real app session on one real server.

For each case: deliver it (SMTP, or control when SMTP refuses it), then in the
app move to its inbox row, open it (enter), look at every view (``v`` three
times: rendered, plain, source in some order), save its attachments (``a``,
then ``A`` in the chooser when there are several), go back (escape) and check
a key still moves the cursor. After every step the screen the app produced is
checked (tests/hostile/screen.py), along with what the app wrote to the
terminal outside the screen (desktop notifications, title), the notifications
it raised, worker errors, and every file that appeared on disk. In the reader,
``y`` and ``Y`` are pressed when there is a code / confirmation link: what
lands on the clipboard must be inert when pasted into a shell (and what the
case's ``copied`` says).

Problems are collected per case id; the test module reports each case on its
own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import smtplib
import stat
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message
from textual.worker import Worker, WorkerState

from tests.support.mail import deliver
from tests.support.waiting import screen_text, until
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.safety import safe_filename

from .corpus import Case
from .fakes import FakeUnscrubbingServer
from .screen import FORBIDDEN, terminal_problems

SIZE = (120, 40)
STEP_TIMEOUT = 30.0
MAX_LINE = 10_000  # TextArea re-divides a whole line for every row it draws
MAX_STALL = 5.0  # CPU seconds the event loop may be held at once (a 100,000-line TextArea: ~1-2 s)
# What tmtui may write outside the screen: OSC 777 / OSC 9 notifications and
# OSC 2 titles, with printable payloads.
# What a copied link must not hold: anything a terminal or a shell acts on ("&" only
# before a parameter name and "=", where a shell sees at most an assignment).
LINK_UNSAFE = re.compile(rf"{FORBIDDEN.pattern}|[\s$();'\"\\`|<>!]|&(?![a-z0-9_]+=)")
BEFORE_Y = "(clipboard before Y)"
OWN_WRITE = re.compile(r"\x1b\]777;notify;[\x20-\x3a\x3c-\x7e]*;[\x20-\x3a\x3c-\x7e]*\x1b\\"
                       r"|\x1b\]9;[\x20-\x7e]*\x07|\x1b\]2;[\x20-\x7e]*\x07")


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    saved: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # notifications raised meanwhile
    stall: float = 0.0  # the longest the event loop was blocked while walking the case


class Walk:
    def __init__(self, root: Path, cases: Sequence[Case]) -> None:
        self.root = root
        self.cases = list(cases)
        self.downloads = root / "downloads"
        self.outcomes: dict[str, Outcome] = {c.id: Outcome() for c in self.cases}
        self.ids: dict[str, str] = {}
        self.worker_errors: list[str] = []
        self.stall = 0.0
        self.saves_done = 0
        self.notes: list[tuple[str, object]] = []
        self.writes: list[str] = []

    # -- plumbing ------------------------------------------------------------------
    def hook(self, message: Message) -> None:
        if not isinstance(message, Worker.StateChanged):
            return
        if message.state == WorkerState.ERROR:
            self.worker_errors.append(f"worker {message.worker.name!r} failed: {message.worker.error!r}")
        if message.worker.group == "reader-save" and message.state in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.saves_done += 1

    def files(self) -> set[Path]:
        """Every file under the test's root, except the server's and state data."""
        found = set()
        for path in self.root.rglob("*"):
            if path.is_file() and not path.is_relative_to(self.root / "server") \
                    and not path.is_relative_to(self.root / "state"):
                found.add(path)
        return found

    @staticmethod
    async def press(pilot, key: str) -> None:
        """A real key event through the driver, like ``pilot.press`` but without
        its idle waits (~100 ms a key); callers wait on what the key should do."""
        from textual import events

        char = {"enter": "\r", "escape": "\x1b"}.get(key, key if len(key) == 1 else None)
        pilot.app._driver.send_message(events.Key(key, char))
        await pilot._wait_for_screen()

    async def until(self, pilot, predicate: Callable[[], bool], what: str,
                    timeout: float = STEP_TIMEOUT) -> None:
        async def tick() -> None:
            await pilot._wait_for_screen()
            await asyncio.sleep(0.005)

        await until(predicate, timeout, what=what, tick=tick)

    def check(self, app, outcome: Outcome, where: str, ignore_rows: Collection[int] = ()) -> None:
        for problem in terminal_problems(app, ignore_rows):
            outcome.problems.append(f"{where}: {problem}")
        if not app.is_running:
            outcome.problems.append(f"{where}: the app is not running")
        while self.worker_errors:
            outcome.problems.append(f"{where}: {self.worker_errors.pop()}")
        while self.notes:
            message, markup = self.notes.pop()
            text = str(message)
            outcome.notes.append(text[:200])
            if markup is not False and ("[" in text or "$" in text):
                outcome.problems.append(f"{where}: notification with markup on: {text[:80]!r}")
        while self.writes:
            written = self.writes.pop()
            if OWN_WRITE.fullmatch(written) is None:
                outcome.problems.append(f"{where}: raw terminal write {written[:80]!r}")

    async def heartbeat(self) -> None:
        """Measure how long the event loop goes without running this task.

        A stall counts only the loop thread's own CPU time over the gap: a
        machine busy with other work delays the tick without it being tmtui's.
        """
        loop = asyncio.get_running_loop()
        while True:
            before, cpu = loop.time(), time.thread_time()
            await asyncio.sleep(0.05)
            late = loop.time() - before - 0.05
            self.stall = max(self.stall, min(late, time.thread_time() - cpu))

    # -- the walk ------------------------------------------------------------------
    async def run(self) -> dict[str, Outcome]:
        from tmtui.server.config import ServerConfig
        from tmtui.server.runner import ReferenceServer
        from tmtui.ui import terminal

        self.downloads.mkdir(parents=True)
        (self.downloads / "dup.txt").write_bytes(b"already here")
        config = ServerConfig(data_dir=self.root / "server", welcome_mail=False, retry_ms=100,
                              requests_per_minute=0, creations_per_minute=0)
        real_write = terminal._write
        terminal._write = lambda app, sequence: self.writes.append(sequence)
        try:
            async with ReferenceServer(config) as server:
                app = build_app(Config(server=server.base_url, download_dir=self.downloads,
                                       poll_min_seconds=1, poll_max_seconds=1, desktop_notify=True,
                                       bell=True),
                                persist=False, transport=FakeUnscrubbingServer())
                real_notify = app.notify

                def notify(message: object, *args: object, **kwargs: object) -> None:
                    self.notes.append((message, kwargs.get("markup", True)))
                    real_notify(message, *args, **kwargs)  # type: ignore[arg-type]

                app.notify = notify  # type: ignore[method-assign]
                async with app.run_test(size=SIZE, message_hook=self.hook) as pilot:
                    heartbeat = asyncio.create_task(self.heartbeat())
                    try:
                        await self.session(app, pilot, server)
                    finally:
                        heartbeat.cancel()
        finally:
            terminal._write = real_write
        return self.outcomes

    async def session(self, app, pilot, server) -> None:
        from tmtui.ui.screens.inbox import InboxScreen

        store = app.store
        await self.until(pilot, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live"
                         and isinstance(app.screen, InboxScreen), "the live inbox")
        mailbox = store.mailboxes[0]
        app.app_focus = False  # in the background: new mail rings and notifies the desktop
        delivered = [case for case in self.cases if await self.deliver(case, server, mailbox)]
        # The server numbers mail in arrival order: the n-th new id is the n-th case.
        await self.until(pilot, lambda: len(mailbox.messages) >= len(delivered), "every row", 60)
        await settle(pilot)
        shared = Outcome()
        self.check(app, shared, "delivery")  # the toasts and terminal writes of new mail
        for outcome in self.outcomes.values():
            outcome.problems.extend(shared.problems)
        app.app_focus = True
        ids = sorted((m.id for m in mailbox.messages), key=lambda i: int(i.rpartition(":")[2]))
        if len(ids) != len(set(ids)) or len(ids) != len(delivered):
            for outcome in self.outcomes.values():
                outcome.problems.append(f"rows: {len(ids)} shown ({len(set(ids))} distinct) "
                                        f"for {len(delivered)} delivered")
            return
        self.ids = {case.id: message_id for case, message_id in zip(delivered, ids, strict=True)}
        for case in delivered:
            outcome = self.outcomes[case.id]
            started = time.perf_counter()
            app.clear_notifications()  # literal checks must see the reader, not a toast
            self.stall = 0.0
            try:
                await self.walk(case, app, pilot, outcome)
            except Exception as exc:
                outcome.problems.append(f"{type(exc).__name__}: {exc}")
                self.check(app, outcome, "after the failure")
                await self.recover(app, pilot)
            outcome.seconds = time.perf_counter() - started
            outcome.stall = self.stall
            if outcome.stall > MAX_STALL:
                outcome.problems.append(f"the UI froze for {outcome.stall:.1f} s")

    async def deliver(self, case: Case, server, mailbox) -> bool:
        outcome = self.outcomes[case.id]
        try:
            if case.via.startswith("control"):
                try:
                    await deliver(server.smtp_port, mailbox.address, case.raw)
                except smtplib.SMTPException:
                    server.control.deliver(mailbox.address, case.raw)
                else:
                    outcome.problems.append("SMTP accepted a case said to be refused by SMTP")
            else:
                await deliver(server.smtp_port, mailbox.address, case.raw)
        except Exception as exc:
            outcome.problems.append(f"delivery: {type(exc).__name__}: {exc}")
            return False
        return True

    async def recover(self, app, pilot) -> None:
        from tmtui.ui.screens.inbox import InboxScreen

        for _ in range(4):
            if isinstance(app.screen, InboxScreen) or not app.is_running:
                return
            await self.press(pilot, "escape")
            await pilot.pause(0.2)

    async def walk(self, case: Case, app, pilot, outcome: Outcome) -> None:
        from tmtui.ui.dialogs.attachments import AttachmentDialog
        from tmtui.ui.screens.inbox import InboxScreen
        from tmtui.ui.screens.reader import ReaderScreen
        from tmtui.ui.widgets.message_list import MessageList

        message_id = self.ids[case.id]
        inbox = app.screen
        message_list = inbox.query_one(MessageList)
        message_list.move_to(message_id)
        await settle(pilot)
        if message_list.current_id != message_id:
            raise AssertionError("the row is not in the inbox")
        self.check(app, outcome, "inbox row", other_rows(message_list))

        await self.press(pilot, "enter")
        await self.until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                         and app.screen.message_id == message_id and app.screen.rendered is not None
                         and app.screen.message is not None, "the reader with the body")
        reader = app.screen
        await settle(pilot)
        # The Markdown view mounts its blocks after the body is set: wait for them, and
        # a literal that never shows is the problem the check below reports.
        with contextlib.suppress(TimeoutError):
            await self.until(pilot, lambda: all(literal in screen_text(app) for literal in case.visible),
                             "the body on screen", timeout=5)
        text = screen_text(app)
        for literal in case.visible:
            if literal not in text:
                outcome.problems.append(f"reader: {literal!r} not shown literally")
        self.check(app, outcome, f"reader {reader.view}")
        await self.copies(case, app, pilot, reader, outcome)
        listed = len(reader.message.attachments)
        if listed != case.attachments:
            outcome.problems.append(f"reader lists {listed} attachments, expected {case.attachments}")

        for _ in range(3):
            before = reader.view
            await self.press(pilot, "v")
            await self.until(pilot, lambda before=before: reader.view != before
                             and self.view_ready(reader), f"the view after {before}")
            await settle(pilot)
            self.check(app, outcome, f"reader {reader.view}")
            self.check_widgets(reader, outcome)

        if case.attachments:
            await self.save(case, app, pilot, reader, outcome, AttachmentDialog)

        await self.press(pilot, "escape")
        await self.until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox again")
        await settle(pilot)
        self.check(app, outcome, "inbox after", other_rows(message_list))
        cursor = message_list.cursor
        if len(message_list.rows) > 1:
            await self.press(pilot, "k" if cursor else "j")
            await self.until(pilot, lambda: message_list.cursor != cursor, "a key moving the cursor", 5)

    async def copies(self, case: Case, app, pilot, reader, outcome: Outcome) -> None:
        """``y`` and ``Y``: only inert text reaches the clipboard; a flagged link not at all."""
        from tmtui.safety import copy_safe

        if reader.code is not None:
            await self.press(pilot, "y")
            await settle(pilot)
            if app.clipboard != copy_safe(reader.code.value) or LINK_UNSAFE.search(app.clipboard):
                outcome.problems.append(f"y copied {app.clipboard[:80]!r}")
        if reader.link is None:
            if case.copied is not None:
                outcome.problems.append("no confirmation link to copy with Y")
            return
        app.copy_to_clipboard(BEFORE_Y)
        await self.press(pilot, "Y")
        await settle(pilot)
        copied = app.clipboard
        if copied != BEFORE_Y and LINK_UNSAFE.search(copied):
            outcome.problems.append(f"Y copied something a shell acts on: {copied[:120]!r}")
        if case.copied == "" and copied != BEFORE_Y:
            outcome.problems.append(f"Y copied a link that should be flagged: {copied[:120]!r}")
        elif case.copied and copied != case.copied:
            outcome.problems.append(f"Y copied {copied[:120]!r}, expected {case.copied[:120]!r}")

    @staticmethod
    def check_widgets(reader, outcome: Outcome) -> None:
        """Bodies that would freeze the UI must not reach the widgets that choke on them."""
        from textual.widgets import Markdown

        from tmtui.ui.screens.reader import MARKDOWN_LIMIT
        from tmtui.ui.widgets.body_view import BodyView

        source = reader.query_one("#body-markdown", Markdown).source
        if len(source) > MARKDOWN_LIMIT:
            outcome.problems.append(f"a {len(source):,}-character body went to the Markdown widget")
        area = reader.query_one("#body-text", BodyView)
        longest = max((len(line) for line in area.folded.lines), default=0)
        if longest > MAX_LINE:
            outcome.problems.append(f"a {longest:,}-character line in the text view")

    @staticmethod
    def view_ready(reader) -> bool:
        from textual.widgets import Markdown

        from tmtui.safety import sanitize_text
        from tmtui.ui.widgets.body_view import BodyView

        if reader.view == "rendered":
            markdown = reader.query_one("#body-markdown", Markdown)
            return bool(reader.query_one("#reader-body").display and markdown.source
                        and markdown.query("MarkdownBlock"))
        area = reader.query_one("#body-text", BodyView)
        if not area.display:
            return False
        # Folding only adds line breaks (and shows tabs as spaces): without them the widget holds exactly the
        # rendered text (plain) or the sanitised source.
        expected = (reader.rendered.text if reader.view == "plain"
                    else sanitize_text(reader.message.html[:2_000_000]))
        return area.text.replace("\n", "") == expected.replace("\n", "").replace("\t", " ")

    async def save(self, case: Case, app, pilot, reader, outcome: Outcome, dialog_type) -> None:
        before, done = self.files(), self.saves_done
        await self.press(pilot, "a")
        if case.attachments > 1:
            await self.until(pilot, lambda: isinstance(app.screen, dialog_type), "the chooser")
            await settle(pilot)
            self.check(app, outcome, "chooser")
            await self.press(pilot, "A")
        await self.until(pilot, lambda: self.saves_done > done and app.screen is reader, "the saves")
        await settle(pilot)
        self.check(app, outcome, "after saving")
        fresh = sorted(self.files() - before)
        outcome.saved = [p.name for p in fresh]
        for path in fresh:
            if path.parent != self.downloads:
                outcome.problems.append(f"saved outside the download dir: {path}")
            elif safe_filename(path.name) != path.name or path.name.startswith(".tmtui-"):
                outcome.problems.append(f"unsafe or temporary file left: {path.name!r}")
            elif stat.S_IMODE(os.stat(path).st_mode) != 0o644:
                outcome.problems.append(f"{path.name!r} has mode {oct(os.stat(path).st_mode)}")
        if len(fresh) != case.expected_saved:
            outcome.problems.append(f"{len(fresh)} files saved, expected {case.expected_saved}: "
                                    f"{outcome.saved}")
        if case.names is not None and tuple(outcome.saved) != case.names:
            outcome.problems.append(f"saved as {outcome.saved}, expected {list(case.names)}")
        if (self.downloads / "dup.txt").read_bytes() != b"already here":
            outcome.problems.append("an existing file was overwritten")


def other_rows(message_list) -> set[int]:
    """Screen rows of the message list other than the cursor's (other cases' rows)."""
    top = message_list.content_region.y
    rows = set(range(top, top + message_list.content_region.height))
    rows.discard(top + message_list.cursor - round(message_list.scroll_y))
    return rows


async def settle(pilot) -> None:
    """Messages handled and layout and paint flushed (pilot.pause without its idle wait)."""
    for _ in range(2):
        await pilot._wait_for_screen()
        pilot.app.screen._on_timer_update()
        await asyncio.sleep(0)


def run_batch(root: Path, cases: Sequence[Case]) -> dict[str, Outcome]:
    return asyncio.run(Walk(root, cases).run())
