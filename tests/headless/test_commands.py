"""``tmtui new / ls / inbox / read / save / rm`` end to end: real server, real SMTP.

Most run in-process (``cli``: ``tmtui.cli.main`` in a thread); the state file
they share with the TUI is checked on disk.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.mail import build_mail, deliver
from tmtui.api.client import TempMailClient

from .support import Result, Runner

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer

Cli = Callable[..., Awaitable[Result]]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE_SUBJECT = "Invoice \x1b]8;;http://evil.test\x07click\x1b]8;;\x07 \u202eexe.pdf\x1b[2J"


def saved(isolated: Path) -> list[dict[str, object]]:
    return json.loads((isolated / "state" / "sessions.json").read_text())["mailboxes"]


async def make(cli: Cli, name: str, domain: str = "a.test") -> str:
    result = await cli("new", "--name", name, "--domain", domain)
    assert result.code == 0, result.err
    return result.out.strip()


async def inbox_ids(cli: Cli, *args: str) -> list[str]:
    result = await cli("inbox", "--json", *args)
    assert result.code == 0, result.err
    return [m["id"] for m in json.loads(result.out)["messages"]]


# -- new and ls ------------------------------------------------------------------------

async def test_new_prints_the_address_and_saves_the_session(cli: Cli, isolated: Path) -> None:
    result = await cli("new")
    assert result.code == 0 and result.err == ""
    address = result.out.strip()
    assert re.fullmatch(r"[^@\s]+@(a|b)\.test", address)
    [entry] = saved(isolated)
    assert entry["address"] == address and entry["sid_token"]
    assert (isolated / "state" / "sessions.json").stat().st_mode & 0o777 == 0o600


async def test_new_with_name_domain_and_json(cli: Cli, isolated: Path) -> None:
    result = await cli("new", "--name", "bob", "--domain", "b.test", "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert set(document) == {"address", "user", "domain", "expires_at", "label", "note"}
    assert (document["address"], document["user"], document["domain"]) == ("bob@b.test", "bob", "b.test")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["expires_at"])
    assert [m["address"] for m in saved(isolated)] == ["bob@b.test"]


async def test_new_name_in_use_by_another_session_is_exit_4(cli: Cli, server: ReferenceServer) -> None:
    from tmtui.api.client import TempMailClient

    async with TempMailClient(server.base_url) as other:  # someone else holds carol@a.test
        session = await other.get_email_address()
        await other.set_email_user(session.sid_token, "carol", domain="a.test")
        result = await cli("new", "--name", "carol", "--domain", "a.test")
    assert (result.code, result.out) == (4, "")
    assert result.err == "tmtui: carol@a.test is in use by another session\n"


async def test_ls_lists_saved_mailboxes_last_is_default(cli: Cli, server: ReferenceServer) -> None:
    empty = await cli("ls", "--json")
    assert (empty.code, json.loads(empty.out)) == (0, {"mailboxes": []})
    first, second = await make(cli, "one"), await make(cli, "two", "b.test")
    plain = await cli("ls")
    rows = [line.split("\t") for line in plain.out.splitlines()]
    assert plain.code == 0 and [(r[0], r[2], r[3]) for r in rows] == [
        (first, "", server.base_url), (second, "*", server.base_url)]  # address, expires, default, server
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r[1]) for r in rows)
    document = json.loads((await cli("ls", "--json")).out)
    assert [(m["address"], m["default"]) for m in document["mailboxes"]] == [(first, False), (second, True)]
    assert all(set(m) == {"address", "expires_at", "default", "server", "label", "note"}
               for m in document["mailboxes"])


async def test_terminal_output_is_aligned_and_marks_the_default(
        cli: Cli, server: ReferenceServer, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = await make(cli, "one"), await make(cli, "two")
    await deliver(server.smtp_port, second, build_mail(second, subject="Hi", text="hello"))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # capsys's stdout, seen by the command
    lines = (await cli("ls")).out.splitlines()
    assert lines[0].startswith(f"  {first} ") and lines[1].startswith(f"* {second} ")
    assert "session until" in lines[1]
    [row] = (await cli("inbox")).out.splitlines()
    assert re.fullmatch(r"\*  \d+ +just now  Sender <sender@example\.org> +Hi", row)


# -- inbox ----------------------------------------------------------------------------

async def test_inbox_lists_newest_first_plain_and_json(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "erin")
    for n in (1, 2, 3):
        await deliver(server.smtp_port, address, build_mail(address, subject=f"Mail {n}", text=f"body {n}"))
    plain = await cli("inbox")
    assert plain.code == 0 and plain.err == ""
    rows = [line.split("\t") for line in plain.out.splitlines()]
    assert [row[3] for row in rows] == ["Mail 3", "Mail 2", "Mail 1"]
    assert all(len(row) == 4 and row[1].endswith("Z") for row in rows)
    document = json.loads((await cli("inbox", "--json")).out)
    assert document["address"] == address
    assert set(document["messages"][0]) == {"id", "from", "from_address", "from_warning", "subject",
                                            "excerpt", "date", "read", "has_attachments", "folder"}
    assert [m["subject"] for m in document["messages"]] == ["Mail 3", "Mail 2", "Mail 1"]
    assert document["messages"][0]["folder"] == "INBOX" and document["messages"][0]["read"] is False


async def test_inbox_of_a_given_address_and_default(cli: Cli, server: ReferenceServer) -> None:
    first, second = await make(cli, "frank"), await make(cli, "gina")
    await deliver(server.smtp_port, first, build_mail(first, subject="For Frank"))
    assert len(await inbox_ids(cli, first)) == 1
    assert await inbox_ids(cli) == []  # the default is the last one made: gina
    assert len(await inbox_ids(cli, "--address", first)) == 1
    assert len((await cli("--address", first, "inbox", "--json")).out) > 0
    assert second.startswith("gina@")


async def test_inbox_sanitises_sender_controlled_text(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "hank")
    raw = build_mail(address, subject=HOSTILE_SUBJECT, text="a\x1b[31mred\x07\u202eb",
                     sender="\x1b[1mBoss\x1b[0m <boss@example.org>")
    await deliver(server.smtp_port, address, raw)
    for args in ((), ("--json",)):
        result = await cli("inbox", *args)
        assert result.code == 0
        assert not CONTROL.search(result.out.replace("\n", "").replace("\t", "")), result.out
    message = json.loads((await cli("inbox", "--json")).out)["messages"][0]
    assert not CONTROL.search(json.dumps(message, ensure_ascii=False))


async def test_unsaved_address_is_exit_4_and_open_saves_it(
        cli: Cli, server: ReferenceServer, isolated: Path) -> None:
    server.control.create_mailbox("ivy@b.test")
    server.control.deliver("ivy@b.test", build_mail("ivy@b.test", subject="Hi Ivy"))
    refused = await cli("inbox", "ivy@b.test")
    assert (refused.code, refused.out) == (4, "")
    assert refused.err == ("tmtui: no saved mailbox ivy@b.test; open it with `o` in the picker "
                           "or `tmtui open ADDRESS`\n")
    assert not (isolated / "state" / "sessions.json").exists()  # nothing was opened behind our back
    opened = await cli("open", "ivy@b.test")
    assert (opened.code, opened.out) == (0, "ivy@b.test\n")
    assert len(await inbox_ids(cli, "ivy@b.test")) == 1
    assert [m["address"] for m in saved(isolated)] == ["ivy@b.test"]


async def test_open_needs_takeover_for_an_address_in_use_and_forget_drops_it(
        cli: Cli, server: ReferenceServer, isolated: Path) -> None:
    async with TempMailClient(server.base_url) as other:
        holder = await other.get_email_address()
        await other.set_email_user(holder.sid_token, "held", domain="a.test")
    refused = await cli("open", "held@a.test")
    assert refused.code == 4 and "--takeover takes it back" in refused.err
    taken = await cli("open", "held@a.test", "--takeover", "--json")
    assert taken.code == 0 and json.loads(taken.out)["address"] == "held@a.test"
    forgot = await cli("forget", "held@a.test")
    assert (forgot.code, forgot.err) == (0, "")
    assert saved(isolated) == []
    again = await cli("forget", "held@a.test")
    assert (again.code, again.err) == (4, "tmtui: no saved mailbox held@a.test\n")


async def test_no_saved_mailbox_is_exit_4(cli: Cli) -> None:
    result = await cli("inbox")
    assert (result.code, result.out) == (4, "")
    assert result.err == "tmtui: no saved mailbox: create one with `tmtui new`\n"


async def test_mailbox_gone_from_the_server_is_exit_4(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "jack")
    server.control.delete_mailbox(address)
    result = await cli("inbox")
    assert result.code == 4 and result.err == f"tmtui: mailbox {address} no longer exists on the server\n"


# -- sessions ---------------------------------------------------------------------------

async def test_saved_session_is_reused(cli: Cli, isolated: Path) -> None:
    await make(cli, "kate")
    token = saved(isolated)[0]["sid_token"]
    for _ in range(2):
        assert (await cli("inbox")).code == 0
    assert saved(isolated)[0]["sid_token"] == token


async def test_lost_session_is_reopened_and_the_new_token_saved(
        cli: Cli, server: ReferenceServer, isolated: Path) -> None:
    address = await make(cli, "leo")
    await deliver(server.smtp_port, address, build_mail(address, subject="Kept"))
    token = saved(isolated)[0]["sid_token"]
    server.control.invalidate_session(address)  # 401 on the next call
    assert len(await inbox_ids(cli)) == 1
    renewed = saved(isolated)[0]["sid_token"]
    assert renewed and renewed != token
    assert len(await inbox_ids(cli)) == 1 and saved(isolated)[0]["sid_token"] == renewed


async def test_expired_session_is_reopened(cli: Cli, server: ReferenceServer, isolated: Path) -> None:
    address = await make(cli, "mia")
    server.control.advance_clock(2 * 86400)  # past the 1440 min lifetime
    assert (await cli("inbox")).code == 0
    assert saved(isolated)[0]["address"] == address


# -- read -------------------------------------------------------------------------------

async def test_read_text_html_and_json(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "nina")
    html = ('<p>Your verification code is <b>482913</b>. Order #55120, total $19.99.</p>'
            '<p><a href="https://acme.test/verify?t=abc">Verify email</a> '
            '<a href="https://acme.test/unsubscribe">Unsubscribe</a></p>')
    await deliver(server.smtp_port, address, build_mail(address, subject="Welcome to Acme", html=html,
                                                        attachments=[("notes.txt", b"hello")]))
    [message_id] = await inbox_ids(cli)

    text = await cli("read", message_id)
    assert text.code == 0, text.err
    head, _, body = text.out.partition("\n\n")
    assert head.splitlines() == [
        "From: Sender <sender@example.org>", "Subject: Welcome to Acme",
        head.splitlines()[2], "Attachments: notes.txt (5 B)", "Code: 482913",
        "Link: https://acme.test/verify?t=abc"]
    assert re.fullmatch(r"Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", head.splitlines()[2])
    assert "Verify email [1]" in body and "[2] acme.test  https://acme.test/unsubscribe" in body
    assert (await cli("read", message_id, "--text")).out == text.out

    raw = await cli("read", message_id, "--html")
    assert raw.code == 0 and '<a href="https://acme.test/verify?t=abc">' in raw.out

    document = json.loads((await cli("read", message_id, "--json")).out)
    assert document["code"]["value"] == "482913" and document["link"] == "https://acme.test/verify?t=abc"
    assert [link["kind"] for link in document["links"]] == ["action", "unsubscribe"]
    assert document["attachments"] == [{"name": "notes.txt", "size": 5, "type": "text/plain"}]


async def test_read_sanitises_every_form(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "omar")
    html = "<p>hi \x1b]52;c;ZXZpbA==\x07 there \u202e\x1b[2J</p><pre>\x1bc\x9b31m</pre>"
    await deliver(server.smtp_port, address, build_mail(address, subject=HOSTILE_SUBJECT, html=html))
    [message_id] = await inbox_ids(cli)
    for form in ("--text", "--html", "--json"):
        result = await cli("read", message_id, form)
        assert result.code == 0, result.err
        assert not CONTROL.search(result.out.replace("\n", "").replace("\t", "")), (form, result.out)


async def test_read_unknown_id_is_exit_4(cli: Cli) -> None:
    address = await make(cli, "pia")
    result = await cli("read", "999999")
    assert (result.code, result.out) == (4, "")
    assert result.err == f"tmtui: no message 999999 in {address}\n"


# -- save -------------------------------------------------------------------------------

async def test_save_writes_every_attachment_safely_and_never_overwrites(
        cli: Cli, server: ReferenceServer, tmp_path: Path) -> None:
    address = await make(cli, "quinn")
    attachments = [("report.pdf", b"%PDF-1.4 first", "application/pdf"),
                   ("../../.bashrc", b"echo owned", "text/plain"),
                   ("photo.png", bytes(range(256)) * 40, "image/png")]
    await deliver(server.smtp_port, address, build_mail(address, subject="Files", attachments=attachments))
    [message_id] = await inbox_ids(cli)
    target = tmp_path / "out"

    first = await cli("save", message_id, "--dir", str(target))
    assert first.code == 0, first.err
    paths = [Path(line) for line in first.out.splitlines()]
    assert [p.name for p in paths] == ["report.pdf", "_.._.bashrc", "photo.png"]
    assert all(p.parent == target for p in paths)
    assert [p.read_bytes() for p in paths] == [a[1] for a in attachments]

    second = await cli("save", message_id, "--dir", str(target))
    assert [Path(line).name for line in second.out.splitlines()] == [
        "report (1).pdf", "_.._ (1).bashrc", "photo (1).png"]
    assert paths[0].read_bytes() == b"%PDF-1.4 first"
    assert not [p for p in target.iterdir() if p.name.startswith(".tmtui-")]  # no temporary files left


async def test_save_defaults_to_the_download_dir(cli: Cli, server: ReferenceServer, isolated: Path) -> None:
    address = await make(cli, "rosa")
    await deliver(server.smtp_port, address, build_mail(address, attachments=[("a.txt", b"A")]))
    [message_id] = await inbox_ids(cli)
    result = await cli("save", message_id)
    assert result.out == f"{isolated / 'downloads' / 'a.txt'}\n"
    elsewhere = await cli("--download-dir", str(isolated / "dl2"), "save", message_id)
    assert elsewhere.out == f"{isolated / 'dl2' / 'a.txt'}\n"


async def test_save_without_attachments(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "sam")
    await deliver(server.smtp_port, address, build_mail(address, subject="Plain"))
    [message_id] = await inbox_ids(cli)
    result = await cli("save", message_id)
    assert (result.code, result.out) == (0, "")
    assert result.err == f"tmtui: message {message_id} has no attachments\n"


async def test_save_into_an_unwritable_place_is_exit_6(
        cli: Cli, server: ReferenceServer, tmp_path: Path) -> None:
    address = await make(cli, "tess")
    await deliver(server.smtp_port, address, build_mail(address, attachments=[("a.txt", b"A")]))
    [message_id] = await inbox_ids(cli)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = await cli("save", message_id, "--dir", str(blocker / "sub"))
    assert (result.code, result.out) == (6, "")
    assert result.err.startswith("tmtui: cannot save a.txt in ") and result.err.count("\n") == 1


# -- rm ---------------------------------------------------------------------------------

async def test_rm_deletes_the_given_messages(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "uma")
    for n in range(3):
        await deliver(server.smtp_port, address, build_mail(address, subject=f"M{n}"))
    ids = await inbox_ids(cli)
    result = await cli("rm", ids[0], ids[2])
    assert (result.code, result.out) == (0, "deleted 2\n")
    assert await inbox_ids(cli) == [ids[1]]
    missing = await cli("rm", ids[0])
    assert (missing.code, missing.out) == (4, "")
    assert missing.err == f"tmtui: no message {ids[0]} in {address}\n"


async def test_rm_names_the_missing_ids_and_still_deletes_the_others(cli: Cli, server: ReferenceServer) -> None:
    address = await make(cli, "vera")
    await deliver(server.smtp_port, address, build_mail(address, subject="only one"))
    [real] = await inbox_ids(cli)
    result = await cli("rm", "999999", real)
    assert (result.code, result.out) == (4, "deleted 1\n")
    assert result.err == f"tmtui: no message 999999 in {address}\n"
    assert await inbox_ids(cli) == []


# -- errors and process-level behaviour -------------------------------------------------

async def test_unreachable_server_is_exit_3_with_one_line(cli: Cli) -> None:
    result = await cli("new", server_url="http://127.0.0.1:9")
    assert (result.code, result.out) == (3, "")
    assert result.err.startswith("tmtui: cannot reach http://127.0.0.1:9") and result.err.count("\n") == 1
    assert "Traceback" not in result.err


async def test_bad_name_or_unknown_domain_is_exit_2_before_asking_the_server(
        cli: Cli, isolated: Path) -> None:
    for args, message in (
            (("--name", "x"), "tmtui: new: name 'x' is not valid: 3-32 characters: a-z 0-9 . _ -\n"),
            (("--name", "Bad Name"), "tmtui: new: name 'Bad Name' is not valid: 3-32 characters: a-z 0-9 . _ -\n"),
            (("--domain", "nope.test"), "tmtui: new: unknown domain 'nope.test'; the server offers: a.test, b.test\n")):
        result = await cli("new", *args)
        assert (result.code, result.out, result.err) == (2, "", message)
    assert not (isolated / "state" / "sessions.json").exists()  # nothing was created


async def test_server_refusal_is_exit_3(cli: Cli) -> None:
    result = await cli("open", "not an address")  # the server refuses it
    assert (result.code, result.out) == (3, "")
    assert result.err.startswith("tmtui: server error (400): ")
    assert result.err.count("\n") == 1


async def test_bad_config_is_exit_2(cli: Cli, isolated: Path) -> None:
    (isolated / "config.toml").write_text("timeout = 99\n")
    result = await cli("ls")
    assert (result.code, result.err) == (2, "tmtui: config: timeout must be between 10 and 15 seconds\n")


async def test_usage_errors_are_exit_2(tmtui: Runner) -> None:
    for args in (("read",), ("wait", "--otp", "--link"), ("wait", "--timeout", "-1"), ("rm",)):
        result = await tmtui(*args)
        assert result.code == 2 and result.out == "", args


async def test_server_option_after_the_command_and_from_the_environment(server: ReferenceServer) -> None:
    wrong_first = Runner("http://127.0.0.1:9")  # --server before the command...
    result = await wrong_first("new", "--server", server.base_url, "--name", "vic")  # ...loses to this one
    assert (result.code, result.out) == (0, "vic@a.test\n"), result.err
    from_env = Runner(None)
    from_env.env["TMTUI_SERVER"] = server.base_url
    listed = await from_env("inbox", "--json")
    assert listed.code == 0, listed.err
    assert json.loads(listed.out) == {"address": "vic@a.test", "messages": []}


async def test_a_reader_that_goes_away_is_not_an_error(
        tmtui: Runner, server: ReferenceServer, cli: Cli) -> None:
    """``tmtui inbox | head -1``: more output than a pipe holds, and the reader leaves."""
    address = await make(cli, "pipe")
    server.control.seed(address, 1500)  # ~100 KB of lines: the pipe buffer fills up
    process = await asyncio.create_subprocess_exec(
        "bash", "-c", f'{shlex.join(tmtui.argv(("inbox",)))} | head -1; echo "status=${{PIPESTATUS[0]}}" >&2',
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=tmtui.env)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert len(out.decode().splitlines()) == 1
    assert err.decode() == "status=141\n"  # no "tmtui: Broken pipe", and not exit 6
