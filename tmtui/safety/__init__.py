"""The one sanitising boundary for sender-controlled text, URLs and file names.

Everything a stranger can put in a mail (subject, sender, body, attachment
names, link labels, link targets) passes through here before it reaches the
terminal, a browser or the file system. Choices, applied consistently:

* Terminal control sequences (7-bit ``ESC`` forms and the 8-bit C1 forms) are
  removed with their parameters and bodies. A 7-bit string sequence (OSC, DCS,
  APC, PM, SOS) runs to its terminator or to the end of the text, as a terminal
  would swallow it. An 8-bit string introducer that is never terminated is far
  more often Windows-1252 text decoded as Latin-1 (``ž`` is U+009E) than an
  attack, so only the introducer goes; what follows is ordinary printable text.
* A control character left on its own is *made visible*: C0 as its Unicode
  control picture (``\\x00`` -> ``␀``, ``ESC`` -> ``␛``), DEL as ``␡``, C1,
  surrogates and non-characters as ``\\ufffd``. The reader sees that something
  was there. ``\\r\\n`` and ``\\r`` become ``\\n``.
* Bidi overrides, embeddings, isolates and marks are *removed*, so text shows
  in its true logical order: ``invoice<RLO>fdp.exe`` reads ``invoicefdp.exe``.
  Zero-width and other invisible format characters (ZWSP, ZWNJ, ZWJ, word
  joiner, BOM, soft hyphen, tag characters) are removed too; emoji joined with
  ZWJ show as their parts, which also keeps cell widths predictable.
* Runs of combining marks are capped at four per base character (Zalgo).
* Square brackets and every other printable character stay exactly as
  written: markup safety is the display layer's job (``Text(value)``,
  ``markup=False``).
* One-line text measures the same for Rich (Textual's layout) and the
  terminal (wcwidth): every ``Default_Ignorable_Code_Point`` goes everywhere,
  and in one-line text any grapheme the two measure differently becomes
  ``U+FFFD`` (:mod:`tmtui.safety.width`).
* A URL is offered only if it is absolute ``http``, ``https`` or ``mailto``
  (:func:`safe_url`), with anything invisible or Markdown-significant
  percent-encoded; links are shown host first, flagged when they hide where
  they go, and copied with shell metacharacters encoded (:mod:`tmtui.safety.links`).
* Anything copied goes through :func:`copy_safe` (:mod:`tmtui.safety.clipboard`).
* Addresses and domains from the server follow a grammar; a sender whose
  display name lies about the address is unmasked (:mod:`tmtui.safety.addresses`).

:func:`sanitize_text` is idempotent and linear in time (regexes without
nested quantifiers, plain ``str.replace``).
"""

from tmtui.safety.addresses import SenderView, is_address, is_domain, is_local_part, sender_view
from tmtui.safety.clipboard import copy_safe
from tmtui.safety.filenames import MAX_NAME_BYTES, numbered_name, safe_filename, unique_path
from tmtui.safety.text import ELLIPSIS, MAX_COMBINING, sanitize_line, sanitize_text
from tmtui.safety.urls import MAX_URL, SAFE_SCHEMES, safe_url
from tmtui.safety.width import cell_width, fit_cells

__all__ = [
    "ELLIPSIS",
    "MAX_COMBINING",
    "MAX_NAME_BYTES",
    "MAX_URL",
    "SAFE_SCHEMES",
    "SenderView",
    "cell_width",
    "copy_safe",
    "fit_cells",
    "is_address",
    "is_domain",
    "is_local_part",
    "numbered_name",
    "safe_filename",
    "safe_url",
    "sanitize_line",
    "sanitize_text",
    "sender_view",
    "unique_path",
]
