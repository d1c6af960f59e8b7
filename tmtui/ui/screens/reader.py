"""The message reader: its keys, and moving between messages.

The parts live beside it: :mod:`~tmtui.ui.screens.reader_body` loads the
message and shows its body (prepared off the UI thread, shown by a Line API
view), :mod:`~tmtui.ui.screens.reader_lines` makes the header and the code
and link line, :mod:`~tmtui.ui.screens.reader_actions` copies, opens and
saves, and ``/`` searches the text view (:mod:`tmtui.ui.screens.reader_search`).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, LoadingIndicator, Markdown, ProgressBar, Static

from tmtui.ui.keys import MOVES, Move, scroll
from tmtui.ui.screens.reader_actions import ReaderActions
from tmtui.ui.screens.reader_body import MARKDOWN_LIMIT, VIEWS
from tmtui.ui.screens.reader_search import BodySearch
from tmtui.ui.widgets.body_view import BodyView
from tmtui.ui.widgets.footer import KeysFooter
from tmtui.ui.widgets.search_bar import SearchBar

__all__ = ["MARKDOWN_LIMIT", "VIEWS", "Beside", "ReaderScreen", "Where"]

Where = tuple[str, str]
"""A message by its mailbox and its id (an id is unique within its mailbox only)."""
Beside = Callable[[Where, int], Where | None]
"""The message ``step`` places from a message in the list the reader was opened from, if any."""


class ReaderScreen(ReaderActions):
    """Dismisses with the id of the message shown last (in its mailbox, ``address``), so the
    cursor of the list it was opened from can follow.

    n, p and d move through that list: ``beside`` gives the neighbours of a message in it
    (the All mailboxes view passes its rows); without it, the message's own mailbox.
    """

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

    def __init__(self, address: str, message_id: str, beside: Beside | None = None) -> None:
        super().__init__(address, message_id)
        self._beside = beside
        self._deleted_from: str | None = None  # the mailbox of the last `d` here, for `u`

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

    def on_mount(self) -> None:
        self.query_one("#save-progress").display = False
        self.query_one("#body-text").display = False
        self.query_one("#reader-attachments").display = False
        self.query_one("#reader-code").display = False
        self.search = BodySearch(self, self.query_one(BodyView), self.query_one(SearchBar))
        self.load()

    # The body --------------------------------------------------------------------

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
        note = ""
        if self.view == "rendered":
            self.view = "plain"
            self.show_view()
            note = "searching the plain text (v: views, esc: clear)"
        self.search.open(note)

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

    # Between messages -------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.message_id)

    def _neighbour(self, step: int) -> Where | None:
        if self._beside is not None:
            return self._beside((self.address, self.message_id), step)
        mailbox = self.tapp.store.get(self.address)
        if mailbox is None:
            return None
        index = mailbox.index_of(self.message_id)
        if index is None:
            return None
        target = index + step
        return (self.address, mailbox.messages[target].id) if 0 <= target < len(mailbox.messages) else None

    def _show(self, where: Where) -> None:
        self.address, self.message_id = where
        self.load()

    def action_step(self, step: int) -> None:
        target = self._neighbour(step)
        if target is None:
            self.notify("No more messages" if step > 0 else "This is the newest message", timeout=2)
            return
        self._show(target)

    def action_delete(self) -> None:
        """Gone at once, the next message shown; the server is asked a few seconds later."""
        following = self._neighbour(1) or self._neighbour(-1)
        if not self.tapp.delete_messages(self.address, [self.message_id]):
            return
        self._deleted_from = self.address
        if following is None:
            self.dismiss(None)
            return
        self._show(following)

    def action_undo(self) -> None:
        """Back to the message just deleted (from whichever mailbox the list showed it)."""
        address = self._deleted_from or self.address
        restored = self.tapp.undo_delete(address)
        if restored:
            self._show((address, restored[0]))
