"""The element model that bounds nesting.

html2text keeps state per open list and blockquote and trusts the tags to
balance. Here every start tag it sees gets exactly one end tag, in order
(implied ends are written out, stray ends dropped), and elements deeper than
``max_depth`` are left out (their text is kept). Pure bookkeeping: the
converter asks :class:`OpenElements` which ends to write, and writes them.
"""

from __future__ import annotations

from tmtui.render.limits import IMPLIED_END_REACH


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


VOID = _tags(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta "
    "param source track wbr"
)
ALWAYS = _tags("head script style")  # their content must stay hidden, however deep
SWALLOW = _tags("abbr code kbd tt")  # inline code would be raw Markdown
STRAY_OK = _tags("dd div dt h1 h2 h3 h4 h5 h6 li p td th tr")  # a lone end still breaks the line
_BLOCK = _tags(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup main menu nav ol p pre section "
    "summary table ul"
)
_SCOPES = (_BLOCK - {"p"}) | _tags("body button caption dd dt html li marquee object td template tfoot th thead tr")
LINES = _BLOCK | _tags("dd dt li tr")  # flattened, these still start a new line
_CELLS = _tags("td th p")
_ROWS = frozenset({"tr"}) | _CELLS
_SECTIONS = _tags("thead tbody tfoot") | _ROWS
# tag -> (elements its start implicitly ends, elements that stop the search)
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{tag: (frozenset({"p"}), _SCOPES) for tag in _BLOCK},
    "li": (_tags("li p"), _tags("ul ol menu dir")),
    "dt": (_tags("dt dd p"), _tags("dl")),
    "dd": (_tags("dt dd p"), _tags("dl")),
    "td": (_CELLS, _tags("tr table")),
    "th": (_CELLS, _tags("tr table")),
    "tr": (_ROWS, _tags("table thead tbody tfoot")),
    **{tag: (_SECTIONS, _tags("table")) for tag in ("thead", "tbody", "tfoot")},
    "option": (_tags("option"), _tags("select datalist optgroup")),
    "optgroup": (_tags("option optgroup"), _tags("select")),
    "a": (_tags("a"), frozenset()),
    "body": (_tags("head"), frozenset()),
}
_NONE: tuple[str, ...] = ()


class OpenElements:
    """The stack of open (non-void) elements, and how deep the shown ones go.

    Each method returns the names of the shown elements that end, innermost
    first, for the caller to write their end tags.
    """

    __slots__ = ("_depth", "_max_depth", "_open", "_stack", "flattened")

    def __init__(self, max_depth: int) -> None:
        self._stack: list[tuple[str, bool]] = []  # (tag, shown)
        self._open: dict[str, int] = {}  # tag -> how many are on the stack
        self._depth = 0  # shown elements on the stack
        self._max_depth = max(1, max_depth)
        self.flattened = False  # some element was left out

    def start(self, tag: str) -> tuple[tuple[str, ...], bool]:
        """``tag`` opens: the elements its start implicitly ends, and whether
        it is shown (False: nested too deep, only its text is kept)."""
        ended = _NONE
        rule = _IMPLIED.get(tag)
        if rule is not None and any(self._open.get(name) for name in rule[0]):
            ended = self._end_implied(*rule)
        shown = self._depth < self._max_depth or tag in ALWAYS
        self._stack.append((tag, shown))
        self._open[tag] = self._open.get(tag, 0) + 1
        if shown:
            self._depth += 1
        else:
            self.flattened = True
        return ended, shown

    def end(self, tag: str) -> tuple[str, ...] | None:
        """``</tag>``: the elements it ends (itself and any left open inside
        it), or None when no ``tag`` is open (a stray end)."""
        if not self._open.get(tag):
            return None
        index = len(self._stack) - 1
        while self._stack[index][0] != tag:
            index -= 1
        return self._pop_to(index)

    def end_all(self) -> tuple[str, ...]:
        """End of input: every element still open."""
        return self._pop_to(0)

    def _end_implied(self, closes: frozenset[str], stops: frozenset[str]) -> tuple[str, ...]:
        stack, target = self._stack, -1
        for index in range(len(stack) - 1, max(-1, len(stack) - 1 - IMPLIED_END_REACH), -1):
            name = stack[index][0]
            if name in closes:
                target = index
            elif name in stops:
                break
        return self._pop_to(target) if target >= 0 else _NONE

    def _pop_to(self, index: int) -> tuple[str, ...]:
        stack, ended = self._stack, []
        while len(stack) > index:
            name, shown = stack.pop()
            self._open[name] -= 1
            if shown:
                self._depth -= 1
                ended.append(name)
        return tuple(ended)
