"""The reader's message: loaded, its body prepared off the UI thread, and shown in the chosen view.

The body is prepared (converted, its code and link picked, folded to the
width) in one call in the app's converter worker (:mod:`tmtui.reading`),
and shown by a Line API view (:class:`~tmtui.ui.widgets.body_view.BodyView`)
that draws only the rows on screen; the Markdown widget shows the "rendered"
view of bodies under ``MARKDOWN_LIMIT`` only.
"""

from __future__ import annotations

import functools

from rich.text import Text
from textual import on, work
from textual.widgets import Markdown, Static

from tmtui.api.models import Message
from tmtui.extract import CodeMatch, RankedLink
from tmtui.reading import Folded, Prepared, fold, prepare
from tmtui.render import Rendered
from tmtui.ui.messages import StoreChanged
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.screens.reader_lines import attachments_text, code_line, header_text, with_view
from tmtui.ui.screens.reader_search import BodySearch
from tmtui.ui.widgets.body_view import BodyView

VIEWS = ("rendered", "plain", "source")
MARKDOWN_LIMIT = 200_000  # the Markdown widget builds a widget per block: large bodies read as plain


class ReaderBody(TmtuiScreen[str | None]):
    """The message ``message_id`` of ``address``, shown; the keys are the reader's (ReaderScreen)."""

    search: BodySearch  # made on mount, when its widgets are there

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

    def on_store_changed(self, message: StoreChanged) -> None:
        """A message that could not be loaded while offline loads once the connection is back."""
        if not self._offline or message.change.address != self.address:
            return
        mailbox = self.tapp.store.get(self.address)
        if mailbox is not None and mailbox.connection in ("live", "polling"):
            self.load()

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
        self._header = header_text(message, self.address)
        self.show_header()
        attachments = self.query_one("#reader-attachments", Static)
        attachments.display = bool(message.attachments)
        if message.attachments:
            attachments.update(attachments_text(message))
        self.refresh_bindings()

    def show_header(self) -> None:
        self.query_one("#reader-header", Static).update(with_view(self._header, self.view, self.size.width))

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
        box.update(code_line(self.code, self.link, self.size.width))
