"""``tmtui watch`` as a real process: JSON lines for mail arriving over SMTP, deletions and
states, the rules firing a command, and a clean end on Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.mail import build_mail, deliver
from tests.support.waiting import until

from .support import Result, Runner
from .test_wait import new_mailbox, otp_mail

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer

Cli = Callable[..., Awaitable[Result]]
Spawned = list[asyncio.subprocess.Process]
Event = dict[str, Any]

RULE = '''
[[rules]]
name = "codes"
from = '@shop\\.example$'
has_code = true
run = [{python}, "-c", """
import json, os, sys
mail = json.load(sys.stdin)
open({marker}, "a").write(os.environ["TMTUI_CODE"] + " " + mail["subject"] + "\\\\n")
print("noted", os.environ["TMTUI_CODE"])
"""]
'''


def write_rules(tmp_path: Path, marker: Path) -> None:
    text = RULE.replace("{python}", json.dumps(sys.executable)).replace("{marker}", json.dumps(str(marker)))
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")


@pytest.fixture
async def spawned() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Processes a test starts: killed at its end if still running (a failing test leaves none)."""
    processes: list[asyncio.subprocess.Process] = []
    yield processes
    for process in processes:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def next_event(process: asyncio.subprocess.Process, wanted: Callable[[Event], bool],
                     timeout: float = 20.0) -> Event:
    """The next JSON line that ``wanted`` takes (the others are checked for form and passed over)."""
    assert process.stdout is not None
    while True:
        line = await asyncio.wait_for(process.stdout.readline(), timeout)
        assert line, "watch ended its output"
        event = json.loads(line)
        assert event["event"] in ("mail", "deleted", "state") and event["at"].endswith("Z")
        if wanted(event):
            return event


async def stderr_line(process: asyncio.subprocess.Process, timeout: float = 20.0) -> str:
    assert process.stderr is not None
    return (await asyncio.wait_for(process.stderr.readline(), timeout)).decode("utf-8").rstrip("\n")


async def interrupt(process: asyncio.subprocess.Process, runner: Runner,
                    sig: signal.Signals = signal.SIGINT) -> Result:
    process.send_signal(sig)
    return await runner.finish(process)


async def test_watch_prints_mail_deletions_and_states_and_runs_the_rules(
        server: ReferenceServer, tmtui: Runner, cli: Cli, tmp_path: Path, spawned: Spawned) -> None:
    address = await new_mailbox(cli)
    marker = tmp_path / "codes.txt"
    write_rules(tmp_path, marker)
    process = await tmtui.spawn("watch")
    spawned.append(process)
    live = await next_event(process, lambda e: e["event"] == "state" and e["state"] == "live")
    assert (live["address"], live["label"], live["detail"]) == (address, None, "")

    await deliver(server.smtp_port, address, otp_mail(address, "482913", sender="Shop <no-reply@shop.example>"))
    mail = await next_event(process, lambda e: e["event"] == "mail")
    assert (mail["address"], mail["from"], mail["subject"]) == (address, "Shop <no-reply@shop.example>",
                                                                 "Your code")
    assert set(mail) == {"event", "at", "address", "label", "id", "from", "subject", "excerpt", "date",
                         "read", "has_attachments", "folder", "from_address", "from_warning"}
    await deliver(server.smtp_port, address, otp_mail(address, "111111", sender="Other <x@other.example>"))
    other = await next_event(process, lambda e: e["event"] == "mail")

    removed = await cli("rm", mail["id"], "--address", address)  # another process deletes it
    assert removed.code == 0, removed.err
    deleted = await next_event(process, lambda e: e["event"] == "deleted")
    assert (deleted["address"], deleted["id"]) == (address, mail["id"])

    assert await stderr_line(process) == (f'tmtui: rules[0] "codes": run: exit 0: noted 482913 '
                                          f'(mail {mail["id"]} to {address})')
    result = await interrupt(process, tmtui)
    assert (result.code, result.err) == (130, "")  # no traceback, nothing left to say
    assert marker.read_text() == "482913 Your code\n"  # the Shop mail only, once
    assert other["id"] != mail["id"]


async def test_watch_neither_prints_nor_acts_on_the_mail_found_at_start(
        server: ReferenceServer, tmtui: Runner, cli: Cli, tmp_path: Path, spawned: Spawned) -> None:
    address = await new_mailbox(cli)
    await deliver(server.smtp_port, address, otp_mail(address, "222222", sender="Shop <no-reply@shop.example>"))
    (tmp_path / "config.toml").write_text("[[rules]]\nmark_read = true\n", encoding="utf-8")
    process = await tmtui.spawn("watch")
    spawned.append(process)
    await next_event(process, lambda e: e["event"] == "state" and e["state"] == "live")
    await deliver(server.smtp_port, address, build_mail(address, subject="Fresh"))
    fresh = await next_event(process, lambda e: e["event"] == "mail")
    assert fresh["subject"] == "Fresh"
    assert await stderr_line(process) == f"tmtui: rules[0]: mark_read: marked read (mail {fresh['id']} to {address})"
    result = await interrupt(process, tmtui, signal.SIGTERM)
    assert (result.code, result.err) == (143, "")
    assert all(json.loads(line)["event"] != "mail" for line in result.out.splitlines())
    inbox = json.loads((await cli("inbox", "--json", address)).out)["messages"]
    assert [(m["subject"], m["read"]) for m in inbox] == [("Fresh", True), ("Your code", False)]


async def test_a_rule_with_a_problem_stops_watch_before_it_starts(tmtui: Runner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[[rules]]\nbell = true\n\n[[rules]]\ndelete_after = "10x"\nrun = "notify-send hi"\n', encoding="utf-8")
    result = await tmtui("watch")
    assert result.code == 2 and result.out == ""
    assert result.err == ("tmtui: config: rules[1].delete_after: not a duration: '10x' "
                          '(e.g. "30s", "10m", "1h30m")\n'
                          "tmtui: config: rules[1].run: must be a list of arguments, e.g. "
                          '["notify-send", "new mail"], never a shell string\n')


async def test_watch_ends_quietly_when_its_reader_goes_away(
        server: ReferenceServer, tmtui: Runner, cli: Cli, spawned: Spawned) -> None:
    """``tmtui watch | head -1``: the next line finds no reader; exit 141, nothing on stderr."""
    address = await new_mailbox(cli)
    process = await tmtui.spawn("watch", "--no-rules")
    spawned.append(process)
    await next_event(process, lambda e: e["event"] == "state" and e["state"] == "live")
    assert process.stdout is not None
    process.stdout.feed_eof()
    transport = process._transport.get_pipe_transport(1)  # type: ignore[attr-defined]
    transport.close()  # the reader closes its end of the pipe
    await deliver(server.smtp_port, address, build_mail(address, subject="Nobody reads this"))
    result = await tmtui.finish(process)
    assert (result.code, result.err) == (141, "")


async def test_ctrl_c_stops_a_running_rule_program_too(
        server: ReferenceServer, tmtui: Runner, cli: Cli, tmp_path: Path, spawned: Spawned) -> None:
    address = await new_mailbox(cli)
    pid_file = tmp_path / "pid"
    sleeper = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(300)"
    (tmp_path / "config.toml").write_text(
        f"[[rules]]\nrun = [{json.dumps(sys.executable)}, '-c', {json.dumps(sleeper)}]\nrun_timeout = '1h'\n",
        encoding="utf-8")
    process = await tmtui.spawn("watch")
    spawned.append(process)
    await next_event(process, lambda e: e["event"] == "state" and e["state"] == "live")
    await deliver(server.smtp_port, address, build_mail(address, subject="Start the sleeper"))
    await next_event(process, lambda e: e["event"] == "mail")
    await until(lambda: pid_file.exists() and pid_file.read_text() != "", what="the rule's program started")
    pid = int(pid_file.read_text())
    result = await interrupt(process, tmtui)
    assert (result.code, result.err) == (130, "")
    await until(lambda: not _running(pid), what="the rule's program stopped")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
