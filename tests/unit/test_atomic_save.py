"""tmtui.files: streamed saves that never overwrite and never leave debris."""

from __future__ import annotations

import asyncio
import errno
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tmtui import files
from tmtui.files import AtomicSave, Sink, save_atomically


def download(chunks: list[bytes], *, fail_after: int | None = None,
             gate: asyncio.Event | None = None) -> Callable[[Sink], object]:
    """A stand-in for ``client.download_attachment(..., sink)``."""

    async def write(sink: Sink) -> int:
        for index, chunk in enumerate(chunks):
            if fail_after is not None and index == fail_after:
                raise ConnectionError("the connection broke")
            if gate is not None and index == 1:
                await gate.wait()
            sink(chunk)
            await asyncio.sleep(0)  # a real stream yields between chunks
        return sum(map(len, chunks))

    return write


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


async def test_saves_content_with_mode_0644_and_creates_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir"
    chunks = [b"%PDF-1.4\n", os.urandom(70_000), b"%%EOF"]
    path = await save_atomically(target, "report.pdf", download(chunks))
    assert path == target / "report.pdf"
    assert path.read_bytes() == b"".join(chunks)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert listing(target) == ["report.pdf"]


async def test_hostile_name_lands_inside_the_directory(tmp_path: Path) -> None:
    path = await save_atomically(tmp_path, "../../\x1b[31mevil\u202etxt.exe", download([b"x"]))
    assert path == tmp_path / "eviltxt.exe"
    assert listing(tmp_path) == [path.name]


async def test_failure_mid_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConnectionError):
        await save_atomically(tmp_path, "a.bin", download([b"1", b"2", b"3"], fail_after=2))
    assert listing(tmp_path) == []


async def test_cancellation_mid_write_leaves_nothing(tmp_path: Path) -> None:
    gate = asyncio.Event()
    task = asyncio.create_task(save_atomically(tmp_path, "a.bin", download([b"1", b"2"], gate=gate)))
    while not listing(tmp_path):  # the temporary file exists: the download is under way
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert listing(tmp_path) == []


async def test_cancellation_while_committing_leaves_nothing(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = threading.Event(), threading.Event()
    real_claim = files._claim

    def slow_claim(temporary: str, directory: Path, name: str) -> Path:
        entered.set()
        release.wait(10)
        return real_claim(temporary, directory, name)

    monkeypatch.setattr(files, "_claim", slow_claim)
    task = asyncio.create_task(save_atomically(tmp_path, "a.bin", download([b"data"])))
    await asyncio.to_thread(entered.wait, 10)
    task.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert listing(tmp_path) == []


async def test_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"mine")
    (tmp_path / "a (1).txt").write_bytes(b"mine too")
    path = await save_atomically(tmp_path, "a.txt", download([b"theirs"]))
    assert path == tmp_path / "a (2).txt" and path.read_bytes() == b"theirs"
    assert (tmp_path / "a.txt").read_bytes() == b"mine"
    assert (tmp_path / "a (1).txt").read_bytes() == b"mine too"


async def test_concurrent_saves_of_one_name_get_distinct_names(tmp_path: Path) -> None:
    saves = [save_atomically(tmp_path, "same.txt", download([b"n%d" % i, b"!"])) for i in range(8)]
    paths = await asyncio.gather(*saves)
    assert len(set(paths)) == 8
    assert sorted(p.read_bytes() for p in paths) == sorted(b"n%d!" % i for i in range(8))
    assert len(listing(tmp_path)) == 8


def test_racing_threads_each_claim_their_own_name(tmp_path: Path) -> None:
    temporaries = []
    for i in range(16):
        fd, name = tempfile.mkstemp(dir=tmp_path, prefix=".tmtui-", suffix=".part")
        os.write(fd, b"%d" % i)
        os.close(fd)
        temporaries.append(name)
    barrier = threading.Barrier(len(temporaries))
    results: list[Path] = []

    def claim(temporary: str) -> None:
        barrier.wait()
        results.append(files._claim(temporary, tmp_path, "x.bin"))

    threads = [threading.Thread(target=claim, args=(t,)) for t in temporaries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 16
    assert sorted(p.read_bytes() for p in results) == sorted(b"%d" % i for i in range(16))
    assert len(listing(tmp_path)) == 16  # no temporary file left


async def test_without_hard_links_it_reserves_then_replaces(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(src: str, dst: os.PathLike[str]) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    (tmp_path / "a.txt").write_bytes(b"mine")
    first = await save_atomically(tmp_path, "a.txt", download([b"one"]))
    second = await save_atomically(tmp_path, "a.txt", download([b"two"]))
    assert (first.name, second.name) == ("a (1).txt", "a (2).txt")
    assert (tmp_path / "a.txt").read_bytes() == b"mine"
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")
    assert stat.S_IMODE(first.stat().st_mode) == 0o644
    assert len(listing(tmp_path)) == 3


async def test_other_link_errors_propagate_and_clean_up(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(src: str, dst: os.PathLike[str]) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "link", broken)
    with pytest.raises(OSError, match="I/O error"):
        await save_atomically(tmp_path, "a.txt", download([b"x"]))
    assert listing(tmp_path) == []


async def test_directory_that_is_a_file_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(OSError):
        await save_atomically(tmp_path / "file", "a.txt", download([b"x"]))
    assert listing(tmp_path) == ["file"]


async def test_context_manager_form(tmp_path: Path) -> None:
    async with AtomicSave(tmp_path, "b.bin") as save:
        save.write(b"ab")
        save.write(b"cd")
    assert save.path == tmp_path / "b.bin" and save.size == 4
    assert save.path.read_bytes() == b"abcd"
    with pytest.raises(ValueError):
        save.write(b"late")


# Early write-back: a large save starts its write-back while it downloads, and keeps its guarantees.

MIB_CHUNKS = [os.urandom(64 * 1024) for _ in range(48)]  # 3 MiB in 64 KiB chunks, as a download


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="write-back is started on Linux only")
async def test_a_large_save_starts_its_write_back_while_it_downloads(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.posix_fadvise
    started: list[tuple[int, int, int]] = []

    def recording(fd: int, offset: int, length: int, advice: int) -> None:
        started.append((offset, length, advice))
        real(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", recording)
    path = await save_atomically(tmp_path, "big.bin", download(MIB_CHUNKS))
    assert path.read_bytes() == b"".join(MIB_CHUNKS)
    total = sum(map(len, MIB_CHUNKS))
    # Consecutive ranges from the start, each as soon as SYNC_EVERY more bytes were written.
    assert len(started) == total // files.SYNC_EVERY
    assert [offset for offset, _, _ in started] == [n * files.SYNC_EVERY for n in range(len(started))]
    assert {(length, advice) for _, length, advice in started} == {(files.SYNC_EVERY, os.POSIX_FADV_DONTNEED)}
    assert listing(tmp_path) == ["big.bin"]


async def test_a_failed_final_sync_fails_the_save_and_leaves_nothing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The final fsync reports the write-back's errors too: the save fails, nothing is left."""
    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="I/O error"):
        await save_atomically(tmp_path, "big.bin", download(MIB_CHUNKS))
    assert listing(tmp_path) == []


async def test_a_download_failing_after_write_back_began_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConnectionError):
        await save_atomically(tmp_path, "big.bin", download(MIB_CHUNKS, fail_after=40))
    assert listing(tmp_path) == []
