"""Several processes updating the state file at once lose nothing (flock + read-merge-write)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tmtui import state

WRITER = """
import sys
from pathlib import Path
from tmtui import state
from tmtui.api.secret import Secret

path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for n in range(count):
    entry = state.SavedMailbox(f"{name}-{n}@a.test", Secret(f"token-{name}-{n}"))
    state.update(lambda saved: [*saved, entry], path)
"""


def test_four_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sessions.json"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"p{i}", "25"])
               for i in range(4)]
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0, 0]
    saved, warning = state.load(path)
    assert warning is None
    assert sorted(m.address for m in saved) == sorted(f"p{i}-{n}@a.test" for i in range(4) for n in range(25))
    assert path.stat().st_mode & 0o777 == 0o600


def test_update_writes_only_when_something_changed(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    state.update(lambda saved: [*saved, state.SavedMailbox("a@a.test", None)], path)
    before = path.stat().st_mtime_ns, path.stat().st_ino
    result, warning = state.update(lambda saved: saved, path)
    assert [m.address for m in result] == ["a@a.test"] and warning is None
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
