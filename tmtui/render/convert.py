"""The entry point: an untrusted HTML body to :class:`~tmtui.render.output.Rendered`."""

from __future__ import annotations

from tmtui.render import limits
from tmtui.render.output import Rendered, assemble, fallback
from tmtui.safety import sanitize_text


def html_to_text(
    html: str,
    *,
    max_input: int = limits.MAX_INPUT,
    max_output: int = limits.MAX_OUTPUT,
    max_depth: int = limits.MAX_DEPTH,
    width: int = 0,
) -> Rendered:
    """Convert an untrusted HTML body to safe text and Markdown; never raises
    on bad HTML. ``width`` > 0 wraps paragraphs (html2text's wrapping, which
    is slower); 0 leaves wrapping to the widget."""
    # Here, not at the top: html2text costs start-up time and the first
    # screen never needs it.
    from tmtui.render.converter import Converter

    html, note = limits.cut_input(html, max_input)
    notes = [note] if note else []
    truncated = note is not None
    source = sanitize_text(html)
    converter = Converter(max_depth=max_depth, max_output=max_output, width=width)
    try:
        body = converter.run(source)
    except limits.OutputFull:
        body = converter.partial()[:max_output]
        truncated = True
        notes.append(limits.output_note(max_output))
    except Exception:  # html2text or HTMLParser choked: show the text anyway
        return fallback(source, max_output=max_output, notes=notes, truncated=truncated)
    if converter.flattened:
        notes.append(limits.depth_note(max_depth))
    return assemble(body, converter.links, notes, truncated=truncated, max_output=max_output)
