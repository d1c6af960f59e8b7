"""The inbox filter's index gives exactly what testing every row would, however the query moves."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from tmtui.ui.row_filter import RowFilter, matches, normal_query
from tmtui.ui.widgets.message_list import Row

WHEN = datetime(2026, 12, 2, tzinfo=UTC)
# Few letters, cases and blanks (and a final sigma, whose lower case depends on its place), so
# queries hit and miss often; a query typed on, cut back or replaced.
SIGMAS = "\u03c3\u03a3\u03c2"  # small, capital and final sigma
TEXT = st.text(alphabet="aAbB -\n" + SIGMAS, max_size=12)
QUERY = st.text(alphabet="aAbB -" + SIGMAS, max_size=5)


def naive(rows: list[Row], text: str) -> list[int] | None:
    query = normal_query(text)
    return None if not query else [i for i, row in enumerate(rows) if matches(row, query)]


def _rows(pairs: list[tuple[str, str]]) -> list[Row]:
    return [Row(str(i), sender, subject, WHEN, False, False, False) for i, (sender, subject) in enumerate(pairs)]


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(TEXT, TEXT), max_size=30), queries=st.lists(QUERY, min_size=1, max_size=8),
       typed_on=st.booleans())
def test_the_index_matches_a_naive_filter(pairs: list[tuple[str, str]], queries: list[str], typed_on: bool) -> None:
    rows = _rows(pairs)
    index = RowFilter()
    index.set_rows(rows)
    if typed_on:  # each query extends the one before, as typing does: the narrowing path
        queries = [queries[0] + "".join(queries[1:i]) for i in range(1, len(queries) + 1)]
    for query in queries:
        assert index.matching(query) == naive(rows, query), query


@settings(max_examples=100, deadline=None)
@given(before=st.lists(st.tuples(TEXT, TEXT), max_size=20), after=st.lists(st.tuples(TEXT, TEXT), max_size=20),
       query=QUERY)
def test_new_rows_forget_the_last_query(before: list[tuple[str, str]], after: list[tuple[str, str]],
                                         query: str) -> None:
    index = RowFilter()
    index.set_rows(_rows(before))
    index.matching(query)
    rows = _rows(after)  # the same ids with other text: a row is known by itself, not by its id
    index.set_rows(rows)
    assert index.matching(query + query) == naive(rows, query + query)
