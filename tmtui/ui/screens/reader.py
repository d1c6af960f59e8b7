"""The message reader: headers, attachments, the body prepared off the UI thread.

The body is prepared (converted, its code and link picked, folded to the
width) in one call in the app's converter worker (:mod:`tmtui.reading`),
and shown by a Line API view (:class:`~tmtui.ui.widgets.body_view.BodyView`)
that draws only the rows on screen; the Markdown widget shows the "rendered"
view of bodies under ``MARKDOWN_LIMIT`` only. ``/`` searches the text view
(:mod:`tmtui.ui.screens.reader_search`).
"""

from __future__ import annotations

import functools
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import (
    Input,
    LoadingIndicator,
    Markdown,
    ProgressBar,
    Static,
)

from tmtui.api.models import Message
from tmtui.extract import CodeMatch, RankedLink
from tmtui.humanize import format_size
from tmtui.reading import Folded, Prepared, fold, prepare
from tmtui.render import Rendered
from tmtui.safety import safe_url, sanitize_line
from tmtui.safety.addresses import sender_line, sender_view
from tmtui.safety.links import copied_line, copy_url, inspect_link
from tmtui.ui import clipboard
from tmtui.ui.dialogs.attachments import AttachmentDialog
from tmtui.ui.dialogs.links import LinkDialog
from tmtui.ui.keys import MOVES, Move, scroll
from tmtui.ui.messages import StoreChanged
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.screens.reader_search import BodySearch
from tmtui.ui.widgets.body_view import BodyView
from tmtui.ui.widgets.footer import KeysFooter
from tmtui.ui.widgets.search_bar import SearchBar

VIEWS = ("rendered", "plain", "source")
MARKDOWN_LIMIT = 200_000  # the Markdown widget builds a widget per block: large bodies read as plain


class ReaderScreen(TmtuiScreen[str | None]):
    """Dismisses with the id of the message shown last, so the inbox cursor can follow."""

    help_title = "Reader"

    BINDINGS = [
        Binding("a", "save", "Save", tooltip="Save attachments"),
        Binding("d", "delete", "Delete", tooltip="Delete, show the next"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo the last delete"),
        Binding("y", "copy_code", "Code", tooltip="Copy the code"),
        Binding("Y", "copy_link", "Link", tooltip="Copy the confirmation link"),
        Binding("l", "links", "Links", tooltip="Choose a link to copy"),
        Binding("o", "open_link", "Open", tooltip="Open the link in the browser"),
        Binding("s", "save_body", "Save as", show=False, tooltip="Save as text, Markdown, HTML"),
        # The same keys when they cannot act on this message: out of the footer, but they
        # say why (check_action picks one of the two).
        Binding("a", "explain('save')", "Save", show=False, tooltip="Save attachments"),
        Binding("y", "explain('copy_code')", "Code", show=False, tooltip="Copy the code"),
        Binding("Y", "explain('copy_link')", "Link", show=False, tooltip="Copy the confirmation link"),
        Binding("l", "explain('links')", "Links", show=False, tooltip="Choose a link to copy"),
        Binding("o", "explain('open_link')", "Open", show=False, tooltip="Open the link in the browser"),
        Binding("s", "explain('save_body')", "Save as", show=False,
                tooltip="Save as text, Markdown, HTML"),
        Binding("n", "next(1)", "Next", show=False, tooltip="Next match, or older message"),
        Binding("N", "next(-1)", "Previous match", show=False, tooltip="Previous match while searching"),
        Binding("p", "step(-1)", "Previous", show=False, tooltip="Previous (newer) message"),
        Binding("slash", "search", "Search", show=False, tooltip="Search the body"),
        Binding("v", "cycle_view", "View", show=False, tooltip="View: rendered, plain, HTML"),
        Binding("escape", "escape", "Back", tooltip="Back (clears a search first)"),
        Binding("q", "back", "Back", show=False, tooltip="Back to the inbox"),
        # The body scrolls whichever view shows it. No priority bindings here: keys typed
        # ahead are resolved in order, against the screen on top when their turn comes.
        Binding(MOVES["down"][0], "scroll_body('down')", "Scroll down", show=False),
        Binding(MOVES["up"][0], "scroll_body('up')", "Scroll up", show=False),
        Binding(f"space,{MOVES['page_down'][0]}", "scroll_body('page_down')", "Page down", show=False),
        Binding(f"b,{MOVES['page_up'][0]}", "scroll_body('page_up')", "Page up", show=False),
        Binding(MOVES["first"][0], "scroll_body('first')", "Top", show=False),
        Binding(MOVES["last"][0], "scroll_body('last')", "Bottom", show=False),
    ]

    def __init__(self, address: str, message_id: str) -> None:
        super().__init__()
        self.address = address
        self.message_id = message_id
        self.message: Message | None = None
        self.rendered: Rendered | None = None
        self.code: CodeMatch | None = None
        self.link: RankedLink | None = None
        self.view = "rendered"
        self._header = Text()
        self._texts: dict[str, str] = {}  # the text of each text view, unfolded
        self._folded: dict[str, Folded] = {}
        self._unloaded = False  # the latest load failed (offline, or an error)
        self._offline = False  # ... because the mailbox was offline: it loads when back

    def compose(self) -> ComposeResult:
        yield Static(id="reader-header")
        yield Static(id="reader-code")
        yield Static(id="reader-attachments")
        yield ProgressBar(id="save-progress", show_eta=False)
        yield LoadingIndicator(id="reader-loading")
        body = VerticalScroll(id="reader-body")
        body.can_focus = False  # the screen's keys scroll it, the same in every view
        with body:
            # Never open a sender's link on a click (the widget would before any handler runs).
            yield Markdown(id="body-markdown", open_links=False)
        yield BodyView(id="body-text")  # never focused: the screen's keys scroll it
        yield SearchBar(id="reader-search")
        yield KeysFooter()

    def on_store_changed(self, message: StoreChanged) -> None:
        """A message that could not be loaded while offline loads once the connection is back."""
        if not self._offline or message.change.address != self.address:
            return
        mailbox = self.tapp.store.get(self.address)
        if mailbox is not None and mailbox.connection in ("live", "polling"):
            self.load()

    def on_mount(self) -> None:
        self.query_one("#save-progress").display = False
        self.query_one("#body-text").display = False
        self.query_one("#reader-attachments").display = False
        self.query_one("#reader-code").display = False
        self.search = BodySearch(self, self.query_one(BodyView), self.query_one(SearchBar))
        self.load()

    # Loading -----------------------------------------------------------------

    @work(group="reader-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        self.message, self.rendered, self.code, self.link = None, None, None, None
        self._unloaded = self._offline = False
        self.refresh_bindings()
        self.query_one("#reader-code").display = False
        offline = self.tapp.offline_line(self.address)
        if offline:  # fail at once, and load by itself when the connection is back
            self._unloaded = self._offline = True
            self.query_one("#reader-loading").display = False
            self.query_one("#reader-header", Static).update(
                Text(f"{offline}. The message loads once the connection is back."))
            return
        self.query_one("#reader-loading").display = True
        self.query_one("#reader-header", Static).update(Text("Loading…", style="dim"))
        message = await self.tapp.attempt(self.tapp.sync.fetch(self.address, self.message_id))
        if message is None:
            self._unloaded = True
            self.query_one("#reader-loading").display = False
            self.query_one("#reader-header", Static).update(Text("This message could not be loaded."))
            return
        self.message = message
        self.show_headers(message)
        mailbox = self.tapp.store.get(self.address)
        index = mailbox.index_of(message.id) if mailbox else None
        self.convert(message, mailbox.messages[index].excerpt if mailbox and index is not None else "")

    @work(group="reader-convert", exclusive=True, exit_on_error=False)
    async def convert(self, message: Message, excerpt: str = "") -> None:
        # One call in the converter's worker process: html2text, the code and link
        # pick and the folding all hold a GIL, but not the UI's.
        args = (message.html, message.subject, excerpt, BodyView.text_width(self.size.width))
        prepared = await self.tapp.converter.run(functools.partial(prepare, *args),
                                                 fallback=functools.partial(prepare, *args, bare=True))
        self.show_body(prepared)

    def show_headers(self, message: Message) -> None:
        header = Text()
        sender = sender_view(message.sender)
        for label, value in (("From", sender_line(message.sender, 500, full=True)), ("To", self.address),
                             ("Subject", message.subject or "(no subject)"),
                             ("Date", _local(message.timestamp))):
            header.append(f"{label:>8}: ", style="bold")
            header.append(sanitize_line(value, max_len=500))
            if label == "From" and sender.flagged:
                header.append(f"  {sanitize_line(sender.warning, 200)}", style="bold red")
            header.append("\n")
        header.rstrip()
        if message.id.lower().startswith("junk:"):
            header.append("   [Junk]", style="bold red")
        self._header = header
        self.show_header()
        attachments = self.query_one("#reader-attachments", Static)
        attachments.display = bool(message.attachments)
        if message.attachments:
            text = Text("Attachments (a saves): ", style="bold")
            for i, item in enumerate(message.attachments, 1):
                text.append(f"\n  {i}. ")
                text.append(sanitize_line(item.name, max_len=120), style="underline")
                text.append(f"  {format_size(item.size)}  {sanitize_line(item.type, max_len=60)}",
                            style="dim")
            attachments.update(text)
        self.refresh_bindings()

    def show_header(self) -> None:
        header = self._header.copy()
        view = f"view: {self.view} (v)"
        last_line = header.plain.rsplit("\n", 1)[-1]
        # Beside the date when it fits, else on a line of its own: never broken in two.
        fits = cell_len(last_line) + 3 + len(view) <= self.size.width - 2
        header.append(f"   {view}" if fits else f"\n{'View':>8}: {self.view} (v)", style="dim")
        self.query_one("#reader-header", Static).update(header)

    def on_resize(self) -> None:
        if self.message is not None:
            self.show_header()

    @on(BodyView.Refold)
    def refold_wanted(self) -> None:
        self.refold()

    @work(group="reader-fold", exclusive=True, exit_on_error=False)
    async def refold(self) -> None:
        """The text view folded to its new width, in the worker (the last resize wins)."""
        view = self.query_one(BodyView)
        width = view.wanted_width
        name = self.view
        if name not in self._folded or not width or self._folded[name].width == width:
            return
        text = self._texts[name]
        folded = await self.tapp.converter.run(functools.partial(fold, text, width))
        if self._texts.get(name) is not text:  # another message came meanwhile
            return
        self._folded = {**self._folded, name: folded}  # the other view is folded anew when shown
        if self.view == name:
            view.show(folded, keep_place=True)

    def show_body(self, prepared: Prepared) -> None:
        self.rendered, self.code, self.link = prepared.rendered, prepared.code, prepared.link
        self._texts = {"plain": prepared.rendered.text, "source": prepared.source}
        self._folded = {"plain": prepared.plain, "source": prepared.folded_source}
        self.show_code()
        self.query_one("#reader-loading").display = False
        if self.view == "rendered" and len(prepared.rendered.markdown) > MARKDOWN_LIMIT:
            self.view = "plain"
            self.notify("Large message: showing plain text (v switches views)", markup=False)
        self.show_view()
        self.refresh_bindings()

    def show_view(self) -> None:
        rendered, message = self.rendered, self.message
        if rendered is None or message is None:
            return
        if self.view == "rendered" and len(rendered.markdown) > MARKDOWN_LIMIT:
            self.view = "plain"  # `v` too: Markdown would freeze the UI for seconds on this body
        markdown_view = self.view == "rendered"
        self.query_one("#reader-body").display = markdown_view
        view = self.query_one(BodyView)
        view.display = not markdown_view
        if markdown_view:
            self.search.clear()  # the search lives in the text views
            self.query_one("#body-markdown", Markdown).update(rendered.markdown)
        else:
            view.show(self._folded[self.view])
            self.search.set_text(self._texts[self.view])
            if view.wanted_width and self._folded[self.view].width != view.wanted_width:
                self.refold()  # folded for another width: shown as it is meanwhile
        self.show_header()

    def show_code(self) -> None:
        """The one-time code and the confirmation link, above everything else."""
        box = self.query_one("#reader-code", Static)
        box.display = bool(self.code or self.link)
        text = Text()
        if self.code:
            text.append("Code ", style="bold")
            text.append(sanitize_line(self.code.value, max_len=20), style="bold reverse")
            if self.code.uncertain:
                text.append(f"  ! {_disagreement(self.code)}", style="bold red")
            text.append("  y copies", style="dim")
        if self.link:
            if self.code:
                text.append("   ")
            text.append("Link ", style="bold")
            view = inspect_link(self.link.url, self.link.label)
            hint = "  flagged: l to choose it" if view is None or view.flagged else "  Y copies"
            room = self.size.width - text.cell_len - len(hint) - 9  # "Link ", padding: the URL gets the rest
            text.append(view.line(room) if view else "", style="underline")
            text.append(hint, style="dim" if view and not view.flagged else "bold red")
        box.update(text)

    # Actions ---------------------------------------------------------------------

    def action_copy_code(self) -> None:
        if self.code is None:
            self.notify("No one-time code found in this message", timeout=3)
            return
        careful = f"; careful, {_disagreement(self.code)}" if self.code.uncertain else ""
        clipboard.copy(self.app, self.code.value, what=f"code {sanitize_line(self.code.value, max_len=20)}{careful}")

    def action_copy_link(self) -> None:
        if self.link is None:
            self.notify("No confirmation link found in this message (l lists all links)", timeout=3)
            return
        view = inspect_link(self.link.url, self.link.label)
        if view is None or view.flagged:
            # One key must not copy a link that hides where it goes: say why, offer l.
            why = ", ".join(view.flags) if view else "not http, https or mailto"
            self.notify(f"Not copied: the link is flagged ({sanitize_line(why, 80)}). "
                        "l shows it; copy it from there if you trust it.", severity="warning", markup=False)
            return
        clipboard.copy(self.app, copy_url(self.link.url), what=copied_line(self.link.url, self.link.label, 80))

    def action_cycle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.show_view()  # the header says which view: no toast

    def action_scroll_body(self, how: Move) -> None:
        """Move the view of the body, never a hidden text cursor."""
        scroll(self.query_one("#reader-body") if self.view == "rendered" else self.query_one(BodyView), how)

    # Search ---------------------------------------------------------------------

    def action_search(self) -> None:
        """Open the search line. The rendered view is Markdown widgets, which cannot show
        a match: the search moves to the plain text, and says so."""
        if self.rendered is None:
            self.action_explain("search")
            return
        if self.view == "rendered":
            self.view = "plain"
            self.show_view()
            self.notify("Searching the plain text (v switches views)", timeout=3)
        self.search.open()

    @on(Input.Changed, "#search-input")
    def search_changed(self) -> None:
        self.search.search()

    @on(Input.Submitted, "#search-input")
    def search_kept(self) -> None:
        """enter keeps the search (and its highlights); the keys go back to the reader."""
        self.set_focus(None)
        if not self.search.bar.term:
            self.search.clear()

    def action_next(self, step: int) -> None:
        if self.search.active:
            self.search.step(step)
        elif step > 0:
            self.action_step(1)
        else:
            self.notify("Nothing searched for: / searches (p is the previous message)", timeout=2)

    def action_escape(self) -> None:
        if self.search.active:
            self.search.clear()
            self.set_focus(None)
        else:
            self.action_back()

    def _available(self) -> dict[str, bool]:
        return {
            "save": bool(self.message and self.message.attachments),
            "links": bool(self.rendered and self.rendered.links),
            "copy_code": self.code is not None,
            "copy_link": self.link is not None,
            "open_link": bool(self.rendered and self.rendered.links),
            "save_body": self.message is not None and self.rendered is not None,
        }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that would do nothing for this message stay out of the footer (and explain)."""
        if action == "explain":
            return not self._available().get(str(parameters[0]), True)
        return self._available().get(action, True)

    def action_explain(self, action: str) -> None:
        """A key that cannot act on this message says why, rather than nothing."""
        if self.rendered is None:
            self.notify("The message could not be loaded" if self._unloaded else "The message is still loading",
                        timeout=2)
            return
        links = bool(self.rendered.links)
        reasons = {
            "save": "This message has no attachments",
            "links": "This message has no links",
            "copy_code": "No one-time code found in this message",
            "copy_link": "No confirmation link found in this message" + (" (l lists its links)" if links else ""),
            "open_link": "This message has no links to open",
        }
        self.notify(sanitize_line(reasons.get(action, "Not available for this message")), markup=False, timeout=3)

    def action_back(self) -> None:
        self.dismiss(self.message_id)

    def _neighbour(self, step: int) -> str | None:
        mailbox = self.tapp.store.get(self.address)
        if mailbox is None:
            return None
        index = mailbox.index_of(self.message_id)
        if index is None:
            return None
        target = index + step
        return mailbox.messages[target].id if 0 <= target < len(mailbox.messages) else None

    def action_step(self, step: int) -> None:
        target = self._neighbour(step)
        if target is None:
            self.notify("No more messages" if step > 0 else "This is the newest message", timeout=2)
            return
        self.message_id = target
        self.load()

    def action_delete(self) -> None:
        """Gone at once, the next message shown; the server is asked a few seconds later."""
        following = self._neighbour(1) or self._neighbour(-1)
        if not self.tapp.delete_messages(self.address, [self.message_id]):
            return
        if following is None:
            self.dismiss(None)
            return
        self.message_id = following
        self.load()

    def action_undo(self) -> None:
        """Back to the message just deleted."""
        restored = self.tapp.undo_delete(self.address)
        if restored:
            self.message_id = restored[0]
            self.load()

    def action_links(self) -> None:
        # Pushed now, not from a worker: keys typed right after `l` go to the chooser.
        if not self.rendered or not self.rendered.links:
            self.notify("This message has no links", timeout=2)
            return
        from tmtui.ui.links_open import LinkOpener

        self.app.push_screen(LinkDialog(self.rendered.links, LinkOpener(self.app).open), callback=self._copy_link)

    def _copy_link(self, url: str | None) -> None:
        if url:
            clipboard.copy(self.app, copy_url(url), what=copied_line(url, max_len=80))

    def action_open_link(self) -> None:
        """The highlighted confirmation link, else a chooser (pushed now: keys typed next go to it)."""
        from tmtui.ui.links_open import LinkOpener

        opener = LinkOpener(self.app)
        if self.link is not None:
            opener.open(self.link.url, self.link.label)
        elif self.rendered and self.rendered.links:
            self.app.push_screen(LinkDialog(self.rendered.links, opener.open, opening=True))

    def action_save_body(self) -> None:
        from tmtui.ui.dialogs.save_body import SaveBodyDialog

        self.app.push_screen(SaveBodyDialog(), callback=self._save_body)

    def _save_body(self, form: str | None) -> None:
        if form and self.message is not None and self.rendered is not None:
            from tmtui.ui.body_save import save_body_toast

            app = self.tapp
            self.run_worker(save_body_toast(app, app.store, app.config.downloads, self.address, form,
                                            self.message, self.rendered), group="reader-save-body",
                            exit_on_error=False)

    @on(Markdown.LinkClicked)
    def link_clicked(self, event: Markdown.LinkClicked) -> None:
        # A click copies the link (only http, https and mailto); the user decides what to open.
        url = safe_url(event.href)
        if url is None:
            self.notify("That link is not http, https or mailto; not copied", timeout=3)
            return
        clipboard.copy(self.app, copy_url(url), what=copied_line(url, max_len=80))

    def action_save(self) -> None:
        # The chooser is pushed now, not from a worker: keys typed right after `a` go to it.
        message = self.message
        if message is None or not message.attachments:
            self.action_explain("save")
            return
        offline = self.tapp.offline_line(self.address)
        if offline:
            self.notify(sanitize_line(f"{offline}: not saved"), severity="error", markup=False, timeout=5)
            return
        if len(message.attachments) == 1:
            self.save([0])
        else:
            self.app.push_screen(AttachmentDialog(message.attachments), callback=self._chosen)

    def _chosen(self, picked: list[int] | None) -> None:
        if picked:
            self.save(picked)

    @work(group="reader-save", exclusive=True, exit_on_error=False)
    async def save(self, chosen: list[int]) -> None:
        message = self.message
        if message is None:
            return
        from tmtui.ui.saving import save_attachment

        for index in chosen:
            path = await save_attachment(self, message, message.attachments[index])
            if path is None:
                break
            self.notify(f"Saved {sanitize_line(str(path), 500)}", markup=False, timeout=8)


def _disagreement(code: CodeMatch) -> str:
    other = f"shows {sanitize_line(code.other, 20)}" if code.other else "shows no code"
    return f"another part of this mail {other}"


def _local(stamp: datetime) -> str:
    return stamp.astimezone().strftime("%a %d %b %Y %H:%M:%S %Z")
