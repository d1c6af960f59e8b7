"""The one place that decides a mail's one-time code, for every screen and script.

A mail can carry two bodies: ``text/plain`` and ``text/html``
(multipart/alternative). The server lists a mail with an excerpt of the first
(``mail_excerpt``) and serves the second as its body (``mail_body``), so the
inbox, which has only the listing, and the reader, which has the body, could
each find a different code: a sender can put ``111111`` in one part and
``222222`` in the other. :func:`mail_code` looks at what is known:

* the listing alone (inbox badge): the subject and the excerpt;
* the whole mail (reader, ``auto_copy_code``, ``tmtui wait --otp``): the
  subject, the excerpt and the body as the reader shows it. The body's code
  wins (it is what the reader shows under it). When the excerpt's code is not
  in the body at all, the parts disagree: the code is marked ``uncertain``,
  with the excerpt's in ``other``. An uncertain code is shown with a warning
  and never copied or printed without a person choosing to.

(A body that holds the excerpt's code too, only ranked lower with the whole
text in view, is not a disagreement: that is one mail saying one thing.)
"""

from __future__ import annotations

import re
from dataclasses import replace

from tmtui.extract.codes import CodeMatch, find_code
from tmtui.extract.text import MAX_SCAN

__all__ = ["mail_code"]

_NOT_ALNUM = re.compile(r"[\W_]+")


def mail_code(subject: str, excerpt: str = "", body: str | None = None) -> CodeMatch | None:
    """The one-time code of a mail (see the module); ``body`` is the rendered
    text of the full mail, None when only its listing is known."""
    listed = find_code(subject, excerpt)
    if body is None:
        return listed
    shown = find_code(subject, body)
    if listed is None or (shown is not None and shown.value == listed.value):
        return shown
    if shown is None:
        return replace(listed, uncertain=True, other="")
    if _digits(listed.value) in _digits(body[:MAX_SCAN]):
        return shown
    return replace(shown, uncertain=True, other=listed.value)


def _digits(text: str) -> str:
    """Letters and digits only, upper-cased: ``482 913`` and ``482-913`` are ``482913``."""
    return _NOT_ALNUM.sub("", text).upper()
