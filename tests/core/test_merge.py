"""The three-way merge of this process's mailboxes with the state file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tmtui.api.secret import Secret
from tmtui.state import SavedMailbox
from tmtui.sync.merge import merge, merge_import

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def box(name: str, token: str = "t", minutes: int = 0) -> SavedMailbox:
    return SavedMailbox(f"{name}@a.test", Secret(token), T0 + timedelta(minutes=minutes))


def names(saved: list[SavedMailbox]) -> list[str]:
    return [m.address.split("@")[0] for m in saved]


def test_mailboxes_added_by_another_process_are_kept_and_reported() -> None:
    result = merge(base={"a@a.test"}, disk=[box("a"), box("b")], ours=[box("a"), box("mine")],
                   forgotten=set(), retokened=set())
    assert names(result.saved) == ["a", "b", "mine"]  # the file's order, then ours: the newest is last
    assert names(result.added_elsewhere) == ["b"]
    assert result.removed_elsewhere == [] and result.retokened_elsewhere == []


def test_removed_elsewhere_versus_added_here_is_told_by_the_base() -> None:
    result = merge(base={"a@a.test", "gone@a.test"}, disk=[box("a")],
                   ours=[box("a"), box("gone"), box("new")], forgotten=set(), retokened=set())
    assert names(result.saved) == ["a", "new"]
    assert result.removed_elsewhere == ["gone@a.test"]


def test_forgotten_here_wins_over_the_file() -> None:
    result = merge(base={"a@a.test", "b@a.test"}, disk=[box("a"), box("b")], ours=[box("a")],
                   forgotten={"b@a.test"}, retokened=set())
    assert names(result.saved) == ["a"] and result.added_elsewhere == []


def test_a_new_token_here_beats_the_file_and_a_new_token_there_beats_ours() -> None:
    disk = [box("a", "disk-a"), box("b", "disk-b")]
    ours = [box("a", "ours-a"), box("b", "ours-b")]
    result = merge(base={"a@a.test", "b@a.test"}, disk=disk, ours=ours, forgotten=set(),
                   retokened={"a@a.test"})
    tokens = {m.address: m.sid_token.reveal() for m in result.saved if m.sid_token}
    assert tokens == {"a@a.test": "ours-a", "b@a.test": "disk-b"}
    assert [m.address for m in result.retokened_elsewhere] == ["b@a.test"]


def test_same_token_keeps_the_later_expiry_from_either_side() -> None:
    result = merge(base={"a@a.test", "b@a.test"}, disk=[box("a", minutes=5), box("b", minutes=1)],
                   ours=[box("a", minutes=1), box("b", minutes=9)], forgotten=set(), retokened=set())
    assert [m.expires_at for m in result.saved] == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=9)]


def test_addresses_compare_case_insensitively() -> None:
    result = merge(base=set(), disk=[SavedMailbox("Bob@A.test", Secret("t"))],
                   ours=[SavedMailbox("bob@a.test", Secret("t"))], forgotten=set(), retokened=set())
    assert len(result.saved) == 1 and result.added_elsewhere == []


NAMES = st.sampled_from(["a", "b", "c", "d", "e", "f"])


@given(disk=st.sets(NAMES), ours=st.sets(NAMES), base=st.sets(NAMES), forgotten=st.sets(NAMES),
       relabeled=st.sets(NAMES))
def test_nothing_is_lost_that_nobody_removed(disk: set[str], ours: set[str], base: set[str],
                                             forgotten: set[str], relabeled: set[str]) -> None:
    result = merge(base={f"{n}@a.test" for n in base}, disk=[labelled(n, f"disk {n}") for n in sorted(disk)],
                   ours=[labelled(n, f"ours {n}") for n in sorted(ours)], forgotten={f"{n}@a.test" for n in forgotten},
                   retokened=set(), relabeled={f"{n}@a.test" for n in relabeled})
    kept = set(names(result.saved))
    assert disk - forgotten <= kept  # another process's mailboxes survive our write
    assert (ours - forgotten) - (base - disk) <= kept  # ours survive unless removed elsewhere
    assert not kept & forgotten
    for mailbox in result.saved:  # and keep the label of the side that set it
        name = mailbox.address.split("@")[0]
        mine = name in ours and (name in relabeled or name not in disk)
        assert mailbox.label == f"{'ours' if mine else 'disk'} {name}"
    assert len(result.saved) == len(kept)  # no duplicates


# -- labels and notes ------------------------------------------------------------------

def labelled(name: str, label: str = "", note: str = "", token: str = "t") -> SavedMailbox:
    return replace(box(name, token), label=label, note=note)


def test_a_label_changed_here_beats_the_file_and_one_changed_there_is_reported() -> None:
    disk = [labelled("a", "old a"), labelled("b", "theirs", "their note")]
    ours = [labelled("a", "mine", "my note"), labelled("b", "old b")]
    result = merge(base={"a@a.test", "b@a.test"}, disk=disk, ours=ours, forgotten=set(),
                   retokened=set(), relabeled={"a@a.test"})
    assert [(m.label, m.note) for m in result.saved] == [("mine", "my note"), ("theirs", "their note")]
    assert [(m.address, m.label) for m in result.relabeled_elsewhere] == [("b@a.test", "theirs")]
    assert result.external and not result.retokened_elsewhere


def test_a_label_travels_with_a_new_token_from_either_side() -> None:
    disk = [labelled("a", "disk label", token="disk-a"), labelled("b", "kept", token="disk-b")]
    ours = [labelled("a", "kept a", token="ours-a"), labelled("b", "new b", token="ours-b")]
    result = merge(base={"a@a.test", "b@a.test"}, disk=disk, ours=ours, forgotten=set(),
                   retokened={"a@a.test"}, relabeled={"b@a.test"})
    got = {m.address: (m.sid_token.reveal() if m.sid_token else None, m.label) for m in result.saved}
    # a: our token (renewed here), the file's label (changed there); b: the reverse
    assert got == {"a@a.test": ("ours-a", "disk label"), "b@a.test": ("disk-b", "new b")}
    assert [m.label for m in result.retokened_elsewhere] == ["new b"]


def test_a_label_added_elsewhere_arrives_with_the_mailbox() -> None:
    result = merge(base=set(), disk=[labelled("new", "github")], ours=[], forgotten=set(), retokened=set())
    assert [m.label for m in result.added_elsewhere] == ["github"] and result.relabeled_elsewhere == []


LABELS = st.sampled_from(["", "x", "y", "z"])
LABEL_STATE = st.dictionaries(NAMES, st.tuples(LABELS, LABELS))  # name -> (label, note)


@given(base=LABEL_STATE, here=LABEL_STATE, there=LABEL_STATE)
def test_a_label_is_lost_only_to_a_later_one(base: dict[str, tuple[str, str]], here: dict[str, tuple[str, str]],
                                             there: dict[str, tuple[str, str]]) -> None:
    """Each side starts from ``base`` and changes some labels (``here``, ``there``).

    What nobody changed stays; what one side changed is what the merge keeps
    (ours when both did: this process writes last); nothing else appears.
    """
    names_ = sorted(base)
    ours = [labelled(n, *here.get(n, base[n])) for n in names_]
    disk = [labelled(n, *there.get(n, base[n])) for n in names_]
    relabeled = {f"{n}@a.test" for n in here if n in base}
    result = merge(base={f"{n}@a.test" for n in names_}, disk=disk, ours=ours, forgotten=set(),
                   retokened=set(), relabeled=relabeled)
    got = {m.address.split("@")[0]: (m.label, m.note) for m in result.saved}
    for name in names_:
        expected = here.get(name) or there.get(name) or base[name]
        assert got[name] == expected
    reported = {m.address.split("@")[0] for m in result.relabeled_elsewhere}
    assert reported == {n for n in names_ if got[n] != here.get(n, base[n])}  # exactly what we must show


# -- importing an exported registry --------------------------------------------------------

def on(server: str, saved: SavedMailbox) -> SavedMailbox:
    return replace(saved, server=server)


def test_an_import_adds_new_entries_per_server_and_updates_only_with_what_it_sets() -> None:
    here, there = "https://here.test", "https://there.test"
    disk = [on(here, labelled("a", "label a", "note a")), on("", labelled("v1", "old"))]
    incoming = [on(here, labelled("a", "", "new note")),  # an empty label never erases
                on(there, labelled("a", "same address, other server")),
                on(here, labelled("v1", "claimed")),  # a version 1 entry counts as this server's
                on(here, labelled("b"))]
    result = merge_import(disk, incoming, server=here)
    assert [(m.server, m.address, m.label, m.note) for m in result.saved] == [
        (here, "a@a.test", "label a", "new note"), ("", "v1@a.test", "claimed", ""),
        (there, "a@a.test", "same address, other server", ""), (here, "b@a.test", "", "")]
    assert (result.added, result.updated, result.unchanged) == (2, 2, 0)
    again = merge_import(result.saved, incoming, server=here)
    assert again.saved == result.saved and (again.added, again.updated, again.unchanged) == (0, 0, 4)


def test_an_imported_session_replaces_a_missing_or_older_one_only() -> None:
    server = "https://here.test"
    disk = [on(server, box("none", "x")), on(server, box("older", "old", minutes=1)),
            on(server, box("newer", "mine", minutes=9))]
    disk[0] = replace(disk[0], sid_token=None)
    incoming = [on(server, box("none", "theirs", 5)), on(server, box("older", "theirs", 5)),
                on(server, box("newer", "theirs", 5))]
    result = merge_import(disk, incoming, server=server)
    tokens = {m.address: m.sid_token.reveal() if m.sid_token else None for m in result.saved}
    assert tokens == {"none@a.test": "theirs", "older@a.test": "theirs", "newer@a.test": "mine"}
    assert (result.updated, result.unchanged) == (2, 1)
