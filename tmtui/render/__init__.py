"""HTML mail bodies to terminal text and safe Markdown, with numbered links.

Pure and Textual-free: the reader calls :func:`html_to_text` from a thread
worker. One html2text pass yields both forms:

* ``Rendered.text`` for plain display: links read ``label [n]``, emphasis
  and Markdown escapes are gone, layout tables become lines.
* ``Rendered.markdown`` for a Markdown widget: every character of the mail's
  text is escaped, so there is no raw HTML, no image and no link but ours:
  ``[label][n] \\[n\\]`` with ``[n]: <url>`` at the end, for ``http``,
  ``https`` and ``mailto`` URLs only (others are dropped, their text stays).

Both end with the numbered list of links (``[1] https://...``) that
``Rendered.links`` holds, and both pass :func:`tmtui.safety.sanitize_text`
(the HTML is sanitised before parsing too, entities and alt texts after).

Hostile input is bounded (:mod:`tmtui.render.limits`): input over
``max_input`` is cut, elements nested deeper than ``max_depth`` are flattened
(their text stays), output stops at ``max_output`` characters; each leaves a
visible ``[tmtui: ...]`` line and a ``note``. If html2text raises anyway, a
tag-stripped text is shown.

The modules: ``convert`` (the entry point), ``converter`` (html2text
hardened; the only one that imports html2text, on first use), ``elements``
(nesting), ``escape`` (sentinels, Markdown escaping), ``links`` (numbering,
the link list), ``limits`` (the caps), ``output`` (the two forms).

For the UI: Textual's ``Markdown`` widget opens clicked links itself unless
built with ``open_links=False``, and its parser also links bare URLs in the
text (``ftp://``, ``www.``); pass every clicked ``href`` through
:func:`tmtui.safety.safe_url`.
"""

from __future__ import annotations

from tmtui.render.convert import html_to_text
from tmtui.render.limits import fold_long_lines
from tmtui.render.links import Link
from tmtui.render.output import Rendered

__all__ = ["Link", "Rendered", "fold_long_lines", "html_to_text"]
