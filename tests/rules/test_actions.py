"""Each action of a rule, on mail delivered over real SMTP to the real reference server."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.support.hooks import HookServer
from tests.support.mail import build_mail
from tests.support.waiting import store_until, until
from tmtui.api import webhook
from tmtui.changes import Change
from tmtui.rules.command import environment

from .conftest import Rig

SHOP = "Shop <no-reply@shop.example>"

RECORDER = """
import json, os, sys
document = json.load(sys.stdin)
seen = {name: value for name, value in os.environ.items() if name.startswith("TMTUI_")}
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"env": seen, "stdin": document, "argv": sys.argv[2:]}, out)
print()
print("got code", document["code"]["value"])
print("a second line")
"""


def code_mail(to: str, code: str = "482913", subject: str = "Your code", sender: str = SHOP) -> bytes:
    html = (f'<p>Your verification code is <b>{code}</b>.</p>'
            '<p><a href="https://shop.example/verify?t=abc">Verify your e-mail</a></p>')
    return build_mail(to, subject=subject, html=html, sender=sender)


async def test_run_gets_the_mail_as_json_on_stdin_and_sanitised_variables(rig: Rig, tmp_path: Path) -> None:
    script, record = tmp_path / "record.py", tmp_path / "record.json"
    script.write_text(RECORDER, encoding="utf-8")
    rig.start([{"name": "shop", "from": r"@shop\.example$",
                "run": [sys.executable, str(script), str(record), "$HOME; rm -rf ~"]}])
    message = await rig.arrive(code_mail(rig.address))

    [outcome] = rig.surface.of("run")
    assert (outcome.ok, outcome.detail) == (True, "exit 0: got code 482913")
    seen = json.loads(record.read_text(encoding="utf-8"))
    assert seen["argv"] == ["$HOME; rm -rf ~"]  # an argument, never a shell word
    assert seen["env"] == {**{k: v for k, v in os.environ.items() if k.startswith("TMTUI_")},
                           "TMTUI_ADDRESS": rig.address, "TMTUI_LABEL": "", "TMTUI_FROM": SHOP,
                           "TMTUI_FROM_ADDRESS": "no-reply@shop.example", "TMTUI_SUBJECT": "Your code",
                           "TMTUI_CODE": "482913", "TMTUI_LINK": "https://shop.example/verify?t=abc",
                           "TMTUI_MESSAGE_ID": message.id, "TMTUI_RULE": "shop"}
    document = seen["stdin"]
    assert (document["id"], document["address"], document["from"]) == (message.id, rig.address, SHOP)
    assert document["code"]["value"] == "482913" and document["link"] == "https://shop.example/verify?t=abc"
    assert document["rule"] == "shop" and document["label"] is None and "Your verification code" in document["text"]


def test_variables_are_one_safe_line() -> None:
    env = environment({"TMTUI_SUBJECT": "a\x1b]52;c;ZXZpbA==\x07b\x1b[2J\u202ec\x9b31m\x00d\u200be\nf\tg",
                       "TMTUI_CODE": None})
    assert env["TMTUI_SUBJECT"] == "abc\u2400de f g" and env["TMTUI_CODE"] == ""  # a NUL shows as ␀


async def test_a_program_past_its_timeout_is_killed_with_its_children(rig: Rig, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    sleeper = ("import os, subprocess, sys, time\n"
               "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
               f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
               "time.sleep(300)\n")
    rig.start([{"run": [sys.executable, "-c", sleeper], "run_timeout": "1s"}])
    await rig.arrive(code_mail(rig.address))
    [outcome] = rig.surface.of("run")
    assert (outcome.ok, outcome.detail) == (False, "killed after 1 s (timeout)")
    for pid in map(int, pids.read_text().split()):
        await until(lambda pid=pid: not _alive(pid), what=f"process {pid} gone")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent, which is gone too) is not running
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


async def test_a_failing_action_does_not_stop_the_others(rig: Rig, tmp_path: Path) -> None:
    rig.start([{"run": [str(tmp_path / "no-such-program")], "save_attachments": "saved", "bell": True,
                "copy_code": True}])
    await rig.arrive(build_mail(rig.address, subject="Invoice", text="Code 604311 inside",
                                attachments=[("invoice.pdf", b"%PDF-1.4 invoice")]))
    [run] = rig.surface.of("run")
    assert not run.ok and run.detail.startswith("cannot start ") and "no-such-program" in run.detail
    [saved] = rig.surface.of("save_attachments")
    assert saved.ok and (rig.downloads / "saved" / "invoice.pdf").read_bytes() == b"%PDF-1.4 invoice"
    assert rig.surface.bells == 1 and rig.surface.copied == [("604311", "code")]


async def test_save_attachments_never_overwrites(rig: Rig, tmp_path: Path) -> None:
    target = tmp_path / "inbox-files"
    target.mkdir()
    (target / "report.pdf").write_bytes(b"mine")
    rig.start([{"has_attachment": True, "save_attachments": str(target)}])
    await rig.arrive(build_mail(rig.address, subject="Report", attachments=[
        ("report.pdf", b"%PDF theirs"), ("../../escape.txt", b"text")]))
    [outcome] = rig.surface.of("save_attachments")
    assert outcome.ok and outcome.detail.startswith(f"saved 2 in {target}")
    assert (target / "report.pdf").read_bytes() == b"mine"
    assert (target / "report (1).pdf").read_bytes() == b"%PDF theirs"
    assert (target / "_.._escape.txt").read_bytes() == b"text" and not (tmp_path / "escape.txt").exists()


async def test_mark_read_reads_the_mail_on_the_server(rig: Rig) -> None:
    rig.start([{"subject": "^news", "mark_read": True}])
    first = await rig.arrive(build_mail(rig.address, subject="News of the week"))
    second = await rig.arrive(build_mail(rig.address, subject="Not news"))
    assert [o.ok for o in rig.surface.of("mark_read")] == [True]
    listed = {m.id: m.read for m in await rig.core.messages(rig.address)}  # the server's word
    assert listed == {first.id: True, second.id: False}


async def test_delete_after_deletes_the_mail_later(rig: Rig) -> None:
    rig.start([{"subject": "temporary", "delete_after": "0.5s"}])
    kept = await rig.arrive(build_mail(rig.address, subject="Keep me"))
    gone = await rig.arrive(build_mail(rig.address, subject="A temporary note"))
    mailbox = rig.core.store.get(rig.address)
    assert mailbox is not None
    await store_until(rig.core.store, lambda: mailbox.index_of(gone.id) is None, what="the mail deleted")
    assert [m.id for m in await rig.core.messages(rig.address)] == [kept.id]
    assert [(o.ok, o.detail) for o in rig.surface.of("delete_after")] == [(True, "deleted")]


async def test_delete_after_waits_and_a_stopped_engine_deletes_nothing(rig: Rig) -> None:
    engine = rig.start([{"delete_after": "1h"}])
    message = await rig.arrive(build_mail(rig.address, subject="For an hour"))
    assert engine.scheduled == 1
    await engine.aclose()
    assert engine.scheduled == 0
    assert [m.id for m in await rig.core.messages(rig.address)] == [message.id]
    assert rig.surface.of("delete_after") == []


async def test_webhook_posts_the_document(rig: Rig) -> None:
    async with HookServer([204]) as hook:
        rig.start([{"name": "hook", "has_code": True, "webhook": hook.url("/mail?key=secret")}])
        message = await rig.arrive(code_mail(rig.address))
        await rig.arrive(build_mail(rig.address, subject="No code here"))  # has_code: not posted
    [request] = hook.requests
    assert (request.method, request.path) == ("POST", "/mail?key=secret")
    assert request.headers["content-type"] == "application/json"
    assert request.json["id"] == message.id and request.json["code"]["value"] == "482913"
    assert request.json["rule"] == "hook" and request.json["address"] == rig.address
    [outcome] = rig.surface.of("webhook")
    assert (outcome.ok, outcome.detail) == (True, "posted, 204")


@pytest.mark.parametrize(("answers", "requests", "ok", "detail"), [
    ([500, 200], 2, True, "posted, 200 (on the retry)"),
    ([503, 500, 200], 2, False, "127.0.0.1 answered 500 (2 attempts)"),
    ([404, 200], 1, False, "127.0.0.1 answered 404"),
    ([302, 200], 1, False, "127.0.0.1 answered 302, a redirect (not followed)"),
])
async def test_webhook_retries_once_and_never_follows_a_redirect(
        rig: Rig, monkeypatch: pytest.MonkeyPatch, answers: list[int], requests: int, ok: bool,
        detail: str) -> None:
    monkeypatch.setattr(webhook, "RETRY_DELAY", 0.05)
    async with HookServer(answers) as hook:
        rig.start([{"webhook": hook.url()}])
        await rig.arrive(code_mail(rig.address))
    assert len(hook.requests) == requests
    assert all(r.path == "/hook" for r in hook.requests)  # never /moved
    [outcome] = rig.surface.of("webhook")
    assert (outcome.ok, outcome.detail) == (ok, detail)


async def test_a_webhook_that_does_not_answer_is_tried_twice(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "RETRY_DELAY", 0.05)
    async with HookServer() as hook:
        url = hook.url()
    rig.start([{"webhook": url, "webhook_timeout": "2s"}])  # the port is closed now
    await rig.arrive(code_mail(rig.address))
    [outcome] = rig.surface.of("webhook")
    assert not outcome.ok and outcome.detail == "cannot reach 127.0.0.1: ConnectError (2 attempts)"


async def test_ui_actions_go_through_the_surface(rig: Rig) -> None:
    rig.start([{"name": "codes", "has_code": True, "notify": True, "copy_code": True, "copy_link": True},
               {"subject": "code", "bell": True}])
    await rig.arrive(code_mail(rig.address))
    assert rig.surface.notices == [(f"codes: {rig.address}", f"{SHOP}: Your code")]
    assert rig.surface.copied == [("482913", "code"), ("https://shop.example/verify?t=abc", "link")]
    assert rig.surface.bells == 1


async def test_each_message_fires_once_however_often_it_is_heard_of(rig: Rig) -> None:
    engine = rig.start([{"bell": True}])
    message = await rig.arrive(code_mail(rig.address))
    engine.arrived(rig.address, [message])  # the TUI folds bursts: a message may come again
    engine.changed(Change("messages", rig.address, added=(message.id,)))
    await engine.idle()
    assert rig.surface.bells == 1
