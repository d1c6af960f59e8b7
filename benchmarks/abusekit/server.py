"""The reference server as a subprocess (``python -m tmtui.server``), and what it costs.

Its memory (and its parser process's) and its file descriptors are its own.
``TMTUI_ABUSE_SERVER_SRC=DIR`` runs the server from another source tree
instead (e.g. ``git archive main tmtui | tar -x -C DIR``): the abuse tests
then show that they fail against it, and the benchmark measures it; options
that server does not know are left out.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_SRC_ENV = "TMTUI_ABUSE_SERVER_SRC"
LEGIT_IP = "127.0.0.1"
ATTACKER_IPS = tuple(f"127.0.0.{n}" for n in range(2, 12))
DB_NAME = "tmtui-server.sqlite3"


def loopback_aliases_work() -> bool:
    """Can a socket use 127.0.0.2 as its source? (Linux: yes; some systems only have 127.0.0.1.)"""
    try:
        with socket.socket() as sock:
            sock.bind((ATTACKER_IPS[0], 0))
        return True
    except OSError:
        return False


def _proc_status(pid: int, key: str) -> int:
    """A kB figure from /proc/PID/status (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                found += [int(p) for p in (task / "children").read_text().split()]
    return found + [grand for child in found for grand in _children(child)]


class ServerProcess:
    """``python -m tmtui.server`` on free loopback ports, with the given options."""

    def __init__(self, data_dir: Path, options: Sequence[str] = (), *, nofile: int | None = None) -> None:
        self.data_dir = data_dir
        self.options = list(options)
        self.nofile = nofile
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.http_port = 0
        self.smtp_port = 0
        self.log = data_dir.parent / f"{data_dir.name}-stderr.log"

    @staticmethod
    def _source() -> Path:
        """Where the server's code comes from: this checkout, or TMTUI_ABUSE_SERVER_SRC."""
        return Path(os.environ.get(SERVER_SRC_ENV) or ROOT)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # ``python -m`` puts the working directory (the source) first; nothing else of ours follows.
        env["PYTHONPATH"] = str(self._source())
        return env

    def _known(self, options: list[str]) -> list[str]:
        """Options the server to run knows (all of them, unless it is another source tree)."""
        if not os.environ.get(SERVER_SRC_ENV):
            return options
        usage = subprocess.run([sys.executable, "-m", "tmtui.server", "--help"], env=self._env(), text=True,
                               capture_output=True, check=True, timeout=60, cwd=self._source()).stdout
        known = set(re.findall(r"--[a-z][a-z-]+", usage))
        kept: list[str] = []
        for flag, value in zip(options[::2], options[1::2], strict=True):
            if flag in known:
                kept += [flag, value]
        return kept

    def _limit_fds(self) -> None:  # runs in the child, before exec
        if self.nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "tmtui.server", "--host", "127.0.0.1", "--port", "0", "--smtp-port", "0",
                "--data-dir", str(self.data_dir), "--domains", "a.test", "--no-welcome",
                *self._known(["--rate-limit", "0", "--creation-limit", "0", *self.options])]
        with self.log.open("w") as errors:
            self.proc = subprocess.Popen(argv, env=self._env(), stdout=subprocess.PIPE, stderr=errors, text=True,
                                         preexec_fn=self._limit_fds, cwd=self._source())
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the server prints its addresses once it listens
        match = re.search(r"(http://127\.0\.0\.1:(\d+)\S*)\s+SMTP 127\.0\.0\.1:(\d+)", line)
        if match is None:
            self.stop()
            raise RuntimeError(f"the server did not start: {line!r}\n{self.log.read_text()[-3000:]}")
        self.base_url, self.http_port, self.smtp_port = match.group(1), int(match.group(2)), int(match.group(3))
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_mib(self) -> float:
        """Resident memory of the server and its children (the parser process), MiB."""
        return sum(_proc_status(pid, "VmRSS") for pid in (self.pid, *_children(self.pid))) / 1024

    def open_fds(self) -> int:
        try:
            return len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            return 0

    def db_bytes(self) -> int:
        """Bytes the database holds now (pages in use, the WAL's included), read without the server's help."""
        with contextlib.closing(sqlite3.connect(f"{(self.data_dir / DB_NAME).as_uri()}?mode=ro", uri=True)) as db:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            free = db.execute("PRAGMA freelist_count").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
        return int((pages - free) * size)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class RssSampler:
    """The server's resident memory, sampled every 20 ms on a thread while attacks run."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.baseline = server.rss_mib()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.server.rss_mib())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_mib())

    @property
    def growth(self) -> float:
        return self.peak - self.baseline
