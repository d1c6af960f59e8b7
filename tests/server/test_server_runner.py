"""Starting and stopping: persistence, taken ports, ServerThread, the serve command."""

from __future__ import annotations

import argparse
import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.mail import build_mail, deliver
from tests.support.wire import call, take_address
from tmtui.server import runner
from tmtui.server.cli import add_serve_arguments, run_serve
from tmtui.server.config import ServerConfig
from tmtui.server.runner import ReferenceServer, ServerStartError, ServerThread


@pytest.fixture
def taken_port() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


async def test_nothing_lost_across_restart(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path, welcome_mail=False)
    async with ReferenceServer(config) as srv, httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "durable", "b.test")
        await deliver(srv.smtp_port, "durable@b.test", build_mail("durable@b.test", subject="persist me",
                                                                  attachments=[("f.bin", b"\x00\x01")]))
        before = (await call(client, "get_email_list", sid_token=session["sid_token"])).json()
        domains_at = before["domains_updated_at"]
    async with ReferenceServer(config) as srv, httpx.AsyncClient(base_url=srv.base_url) as client:
        after = (await call(client, "get_email_list", sid_token=session["sid_token"])).json()
        assert [m["mail_subject"] for m in after["list"]] == ["persist me"]
        assert after["session_started_at"] == session["session_started_at"]
        assert after["mailbox_event_token"] == session["mailbox_event_token"]
        assert after["domains_updated_at"] == domains_at
        mail_id = after["list"][0]["mail_id"]
        data = await call(client, "fetch_attachment", sid_token=session["sid_token"], email_id=mail_id,
                          file_name="f.bin")
        assert data.content == b"\x00\x01"
        held = await call(client, "open_email_address", email_addr="durable@b.test")
        assert held.status_code == 409  # the session survived too


async def test_taken_http_port_is_one_line_error(tmp_path: Path, taken_port: socket.socket) -> None:
    port = taken_port.getsockname()[1]
    with pytest.raises(ServerStartError) as error:
        await ReferenceServer(ServerConfig(data_dir=tmp_path, port=port)).start()
    message = str(error.value)
    assert "\n" not in message and str(port) in message and "HTTP" in message
    assert error.value.__cause__ is None


async def test_taken_smtp_port_is_one_line_error(tmp_path: Path, taken_port: socket.socket) -> None:
    port = taken_port.getsockname()[1]
    with pytest.raises(ServerStartError, match="SMTP: ") as error:
        await ReferenceServer(ServerConfig(data_dir=tmp_path, smtp_port=port)).start()
    assert "\n" not in str(error.value)


async def test_stop_closes_idle_connections_without_the_grace_period(tmp_path: Path, monkeypatch) -> None:
    # With no grace deadline left to cut it, stop() returns only if the client's
    # idle keep-alive connection is closed at once. Start-up time is a benchmark.
    monkeypatch.setattr(runner, "STOP_GRACE_SECONDS", 3600.0)
    srv = ReferenceServer(ServerConfig(data_dir=tmp_path))
    await srv.start()
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        assert (await client.get("/health")).status_code == 200
        await asyncio.wait_for(srv.stop(), 60)
    await srv.stop()  # twice is harmless


async def test_temporary_data_dir_is_removed() -> None:
    srv = ReferenceServer(ServerConfig())
    await srv.start()
    data_dir = srv.data_dir
    assert data_dir.is_dir()
    await srv.stop()
    assert not data_dir.exists()


def test_server_thread_control_from_another_thread(tmp_path: Path) -> None:
    with ServerThread(ServerConfig(data_dir=tmp_path, path_prefix="/tool")) as srv:
        assert srv.base_url.endswith("/tool")
        with httpx.Client(base_url=srv.base_url) as client:
            session = client.post("/ajax.php?f=get_email_address").json()
            srv.control.seed(session["email_addr"], 3)
            srv.control.invalidate_session(session["email_addr"])
            response = client.post("/ajax.php?f=get_email_list", data={"sid_token": session["sid_token"]})
            assert response.status_code == 401
        assert srv.control.stream_count() == 0
    with pytest.raises(RuntimeError):
        srv.control  # noqa: B018 - stopped servers have no control


def test_server_thread_start_error(tmp_path: Path, taken_port: socket.socket) -> None:
    with pytest.raises(ServerStartError):
        ServerThread(ServerConfig(data_dir=tmp_path, port=taken_port.getsockname()[1])).start()


def test_serve_command_reports_a_taken_port(tmp_path: Path, taken_port: socket.socket,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    args = parser.parse_args(["--port", str(taken_port.getsockname()[1]), "--smtp-port", "0",
                              "--data-dir", str(tmp_path), "--domains", "x.test,y.test"])
    assert run_serve(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tmtui serve: cannot listen on")


async def test_serve_command_runs_until_sigterm(tmp_path: Path) -> None:
    import os
    import sys

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tmtui.server", "--port", "0", "--smtp-port", "0", "--data-dir", str(tmp_path),
        "--domains", "x.test", "--no-welcome", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert line.startswith("tmtui reference server: http://127.0.0.1:") and "SMTP 127.0.0.1:" in line
        base_url = line.split()[3]
        async with httpx.AsyncClient(base_url=base_url) as client:
            assert (await client.get("/ajax.php?f=get_domains")).json()["domains"] == ["x.test"]
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) == 0
        assert (await process.stderr.read()) == b""
    finally:
        if process.returncode is None:
            os.kill(process.pid, 9)
            await process.wait()


def test_bad_config_values() -> None:
    with pytest.raises(ValueError):
        ServerConfig(domains=())
    with pytest.raises(ValueError):
        ServerConfig(domains=("not a domain",))
    with pytest.raises(ValueError):
        ServerConfig(takeover="nope")  # type: ignore[arg-type]
    assert ServerConfig(path_prefix="tool/").path_prefix == "/tool"


def test_missing_extra_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "aiosmtpd", None)  # find_spec now reports it missing
    monkeypatch.delitem(sys.modules, "tmtui.server")
    with pytest.raises(ImportError, match=r"pip install 'tmtui\[server\]'"):
        importlib.import_module("tmtui.server")
