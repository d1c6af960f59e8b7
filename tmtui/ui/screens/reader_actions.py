"""What the reader's keys do with the message shown: copy its code or link, open a link, save.

A key that cannot act on this message stays out of the footer and says why
when pressed (:meth:`ReaderActions.check_action`, ``explain``). Dialogs are
pushed at once, never from a worker: keys typed right after go to them.
"""

from __future__ import annotations

from textual import on, work
from textual.widgets import Markdown

from tmtui.safety import safe_url, sanitize_line
from tmtui.safety.links import copied_line, copy_url, inspect_link
from tmtui.ui import clipboard
from tmtui.ui.dialogs.attachments import AttachmentDialog
from tmtui.ui.dialogs.links import LinkDialog
from tmtui.ui.screens.reader_body import ReaderBody
from tmtui.ui.screens.reader_lines import disagreement


class ReaderActions(ReaderBody):
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

    # Copy ------------------------------------------------------------------------

    def action_copy_code(self) -> None:
        if self.code is None:
            self.notify("No one-time code found in this message", timeout=3)
            return
        careful = f"; careful, {disagreement(self.code)}" if self.code.uncertain else ""
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

    @on(Markdown.LinkClicked)
    def link_clicked(self, event: Markdown.LinkClicked) -> None:
        # A click copies the link (only http, https and mailto); the user decides what to open.
        url = safe_url(event.href)
        if url is None:
            self.notify("That link is not http, https or mailto; not copied", timeout=3)
            return
        clipboard.copy(self.app, copy_url(url), what=copied_line(url, max_len=80))

    # Links -----------------------------------------------------------------------

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

    # Save ------------------------------------------------------------------------

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
        message, address = self.message, self.address  # n or p may show another mailbox's mail meanwhile
        if message is None:
            return
        from tmtui.ui.saving import save_attachment

        for index in chosen:
            path = await save_attachment(self, address, message.id, message.attachments[index])
            if path is None:
                break
            self.notify(f"Saved {sanitize_line(str(path), 500)}", markup=False, timeout=8)
