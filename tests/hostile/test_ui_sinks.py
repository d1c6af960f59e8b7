"""Issue 12.1: every clipboard write and every toast in tmtui/ui is fed by sanitised values.

The source is read, not run: each ``copy_to_clipboard(...)`` must be given the
result of a copy filter, and each ``notify(...)`` message and title may only be
built from constants and values that went through the sanitiser (directly, or
through a local variable assigned from it). A value the checker cannot prove
safe must be listed in ``OWN_WORDS`` with the reason it is not mail or server
text.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "tmtui" / "ui"

COPY_FILTERS = {"copy_safe", "copy_url"}
SANITISERS = {"sanitize_line", "sanitize_text", "describe", "format_size", "relative_time",
              "sender_line", "link_line", "copied_line", "copy_safe", "copy_url", "len",
              "_disagreement"}  # reader.py: built from sanitize_line
# (file, expression) -> why it is safe although the checker cannot see it.
OWN_WORDS = {
    ("app.py", "text"): "sync warnings: tmtui's own sentences about local files",
    ("app.py", "warning"): "start-up warnings: config and state file problems, tmtui's own words",
    ("app.py", "str(exc)"): "StateError: 'Cannot save PATH: reason', a local path",
    ("reader.py", "self.view"): "one of VIEWS",
}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class Checker(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []
        self.safe_names: list[set[str]] = [set()]

    # -- which expressions are safe ----------------------------------------------
    def safe(self, node: ast.AST) -> bool:
        if (self.path.name, ast.unparse(node)) in OWN_WORDS:
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(part) for part in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.safe(node.value)
        if isinstance(node, ast.Call):
            return _name(node.func) in SANITISERS
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(value) for value in node.values)
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        return isinstance(node, ast.Name) and node.id in self.safe_names[-1]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.safe_names.append(set())
        self.generic_visit(node)
        self.safe_names.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            pairs = (zip(target.elts, node.value.elts, strict=False)
                     if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                     else [(target, node.value)])
            for name, value in pairs:
                if isinstance(name, ast.Name) and self.safe(value):
                    self.safe_names[-1].add(name.id)
        self.generic_visit(node)

    # -- the sinks -------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        where = f"{self.path.relative_to(UI.parent.parent)}:{node.lineno}"
        sink = _name(node.func)
        if sink == "copy_to_clipboard":
            # ``App.copy_to_clipboard(app, text)`` (the clipboard module calling Textual's own,
            # unbound) copies its second argument.
            unbound = isinstance(node.func, ast.Attribute) and _name(node.func.value) == "App"
            value = node.args[1 if unbound else 0] if len(node.args) > unbound else None
            if not ((isinstance(value, ast.Call) and _name(value.func) in COPY_FILTERS)
                    or (isinstance(value, ast.Name) and value.id in self.safe_names[-1])):
                self.problems.append(f"{where}: copy_to_clipboard({ast.unparse(value) if value else ''}) "
                                     "without copy_safe / copy_url")
        elif sink == "notify" and node.args:
            shown = [node.args[0], *(k.value for k in node.keywords if k.arg == "title")]
            for value in shown:
                if not self.safe(value):
                    self.problems.append(f"{where}: notify fed by {ast.unparse(value)!r}")
        self.generic_visit(node)


def problems_in(source: str, path: Path) -> list[str]:
    checker = Checker(path)
    checker.visit(ast.parse(source))
    return checker.problems


def test_the_checker_catches_an_unsanitised_address() -> None:
    bad = ("def f(self):\n    self.app.copy_to_clipboard(self.address)\n"
           "    self.notify(f'Copied {self.address}', markup=False)\n")
    assert len(problems_in(bad, UI / "x.py")) == 2
    good = ("def f(self):\n    shown = sanitize_line(self.address, 80)\n"
            "    self.app.copy_to_clipboard(copy_safe(self.address))\n"
            "    self.notify(f'Copied {shown}', markup=False)\n")
    assert problems_in(good, UI / "x.py") == []


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: str(p.relative_to(UI)))
def test_ui_copies_and_toasts_only_sanitised_values(path: Path) -> None:
    problems = problems_in(path.read_text(encoding="utf-8"), path)
    assert not problems, "\n".join(problems)
