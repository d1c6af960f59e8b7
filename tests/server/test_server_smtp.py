"""Mail intake over real SMTP (smtplib -> aiosmtpd) and what the API then shows."""

from __future__ import annotations

import asyncio
import smtplib
from urllib.parse import unquote

import httpx
import pytest

from tests.support.mail import build_mail, deliver, deliver_sync
from tests.support.wire import call, take_address


async def fetch_only_mail(client: httpx.AsyncClient, sid: str) -> dict:
    listed = (await call(client, "get_email_list", sid_token=sid)).json()
    assert listed["count"] == 1, listed
    mail_id = listed["list"][0]["mail_id"]
    response = await call(client, "fetch_email", sid_token=sid, email_id=mail_id)
    assert response.status_code == 200
    return {**listed["list"][0], **response.json()}


async def send_raw(server, to: str, raw: bytes) -> None:
    await deliver(server.smtp_port, to, raw)


async def test_rcpt_refused_for_unknown_mailbox_and_domain(server, server_client: httpx.AsyncClient) -> None:
    await take_address(server_client, "exists")
    raw = build_mail("nobody@a.test")
    for rcpt in ("nobody@a.test", "exists@unserved.example"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            await deliver(server.smtp_port, rcpt, raw)
        assert refused.value.recipients[rcpt][0] == 550
    partial = await deliver(server.smtp_port, ["exists@a.test", "nobody@a.test"], raw)
    assert list(partial) == ["nobody@a.test"] and partial["nobody@a.test"][0] == 550


async def test_html_mail(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "html")
    await send_raw(server, "html@a.test", build_mail("html@a.test", subject="Confirm",
                                                     html="<html><body><a href='https://x.test/c'>Confirm</a>"
                                                          "</body></html>"))
    mail = await fetch_only_mail(server_client, session["sid_token"])
    assert "<a href='https://x.test/c'>Confirm</a>" in mail["mail_body"]
    assert mail["mail_excerpt"] == "Confirm" and mail["attached"] == 0


async def test_text_only_mail_is_escaped_html(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "plain")
    await send_raw(server, "plain@a.test", build_mail("plain@a.test", text="Code: 123456\n<script>x</script>\n\nBye"))
    mail = await fetch_only_mail(server_client, session["sid_token"])
    assert "<script>" not in mail["mail_body"]
    assert "&lt;script&gt;x&lt;/script&gt;" in mail["mail_body"]
    assert mail["mail_body"].startswith("<p>Code: 123456<br>")
    assert mail["mail_excerpt"] == "Code: 123456 <script>x</script> Bye"


async def test_multipart_alternative_prefers_html(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "alt")
    await send_raw(server, "alt@a.test", build_mail("alt@a.test", text="plain version", html="<p>html version</p>"))
    mail = await fetch_only_mail(server_client, session["sid_token"])
    assert mail["mail_body"].strip() == "<p>html version</p>"
    assert mail["mail_excerpt"] == "plain version"
    assert mail["mail_attachments"] == []


async def test_rfc2047_headers(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "encoded")
    raw = (b"From: =?utf-8?q?Tr=E1=BA=A7n_Mai?= <mai@example.org>\r\n"
           b"To: encoded@a.test\r\n"
           b"Subject: =?utf-8?b?TcOjIHjDoWMgbmjhuq1uOiA0MjQy?=\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nxin chao\r\n")
    await send_raw(server, "encoded@a.test", raw)
    mail = await fetch_only_mail(server_client, session["sid_token"])
    assert mail["mail_subject"] == "Mã xác nhận: 4242"
    assert mail["mail_from"] == "Trần Mai <mai@example.org>"


async def test_rfc2231_filename_and_download(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "files")
    data = bytes(range(256)) * 40
    raw = build_mail("files@a.test", text="see attached",
                     attachments=[('Báo cáo "Q1";\r\n.pdf', data, "application/pdf"), ("a.txt", b"hi", "text/plain")])
    assert b"filename*=" in raw  # really RFC 2231 on the wire
    await send_raw(server, "files@a.test", raw)
    mail = await fetch_only_mail(server_client, session["sid_token"])
    name = mail["mail_attachments"][0]["name"]
    assert name.startswith("Báo cáo") and name.endswith(".pdf") and "\r" not in name and "\n" not in name
    assert mail["mail_attachments"][0]["size"] == len(data)
    assert mail["attached"] == 1
    response = await call(server_client, "fetch_attachment", sid_token=session["sid_token"],
                          email_id=mail["mail_id"], file_name=name)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-length"] == str(len(data))
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == name
    assert response.headers["x-mailbox-event-token"] == session["mailbox_event_token"]
    missing = await call(server_client, "fetch_attachment", sid_token=session["sid_token"],
                         email_id=mail["mail_id"], file_name="nope.pdf")
    assert missing.status_code == 404 and set(missing.json()) == {"error"}


async def test_attachment_over_limit_is_413(start_server) -> None:
    srv = await start_server(max_attachment_bytes=1000)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "big")
        mail_id = srv.control.deliver("big@a.test", build_mail("big@a.test", attachments=[
            ("big.bin", b"x" * 1001, "application/octet-stream"), ("ok.bin", b"y" * 1000, "application/octet-stream")]))
        big = await call(client, "fetch_attachment", sid_token=session["sid_token"], email_id=mail_id,
                         file_name="big.bin")
        assert big.status_code == 413 and big.content == b'{"error":"Attachment too large"}'
        ok = await call(client, "fetch_attachment", sid_token=session["sid_token"], email_id=mail_id,
                        file_name="ok.bin")
        assert ok.status_code == 200 and len(ok.content) == 1000


async def test_default_attachment_limit_is_5_mb(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "fivemb")
    limit = 5 * 1024 * 1024
    # About 14 MB on the wire: also exercises parsing big mail off the event loop.
    await send_raw(server, "fivemb@a.test", build_mail("fivemb@a.test", attachments=[
        ("at.bin", b"a" * limit, "application/octet-stream"), ("over.bin", b"b" * (limit + 1), "application/zip")]))
    mail_id = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()["list"][0]["mail_id"]
    at = await call(server_client, "fetch_attachment", sid_token=session["sid_token"], email_id=mail_id,
                    file_name="at.bin")
    assert at.status_code == 200 and len(at.content) == limit
    over = await call(server_client, "fetch_attachment", sid_token=session["sid_token"], email_id=mail_id,
                      file_name="over.bin")
    assert over.status_code == 413


async def test_bad_charsets_never_lose_mail(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "charset")
    raws = [
        b"Subject: unknown\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\ncaf\xc3\xa9\r\n",
        b"Subject: lying\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaf\xe9 cr\xe8me\r\n",
        b"Subject: rot\r\nContent-Type: text/html; charset=rot13\r\n\r\n<p>ok</p>\r\n",
        b"Subject: \xff\xfe raw 8-bit\r\n\r\nbody \x80\x81\r\n",
        b"Subject: broken base64\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64\r\n",
    ]
    for raw in raws:
        await send_raw(server, "charset@a.test", raw)
    listed = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()
    assert listed["count"] == len(raws)
    by_subject = {m["mail_subject"]: m for m in listed["list"]}
    assert by_subject["unknown"]["mail_excerpt"] == "café"
    assert by_subject["lying"]["mail_excerpt"] == "café crème"
    for item in listed["list"]:
        response = await call(server_client, "fetch_email", sid_token=session["sid_token"], email_id=item["mail_id"])
        assert response.status_code == 200


async def test_spam_flag_files_into_junk(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "spam")
    await send_raw(server, "spam@a.test", build_mail("spam@a.test", subject="Win", headers={"X-Spam-Flag": "YES"}))
    await send_raw(server, "spam@a.test", build_mail("spam@a.test", subject="Ham", headers={"X-Spam-Flag": "NO"}))
    listed = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()
    ids = {m["mail_subject"]: m["mail_id"] for m in listed["list"]}
    assert ids["Win"].startswith("Junk:") and ids["Win"][5:].isdigit()
    assert ids["Ham"].isdigit()
    junk = await call(server_client, "fetch_email", sid_token=session["sid_token"], email_id=ids["Win"])
    assert junk.status_code == 200 and junk.json()["mail_id"] == ids["Win"]
    bare = await call(server_client, "fetch_email", sid_token=session["sid_token"], email_id=ids["Win"][5:])
    assert bare.status_code == 404  # the folder is part of the id
    deleted = await call(server_client, "del_email", sid_token=session["sid_token"], **{"email_ids[]": [ids["Win"]]})
    assert deleted.json() == {"deleted": 1}


async def test_nested_multipart_with_inline_image(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "nested")
    raw = (
        b"From: Shop <shop@example.org>\r\nSubject: Receipt\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="OUT"\r\n\r\n'
        b'--OUT\r\nContent-Type: multipart/related; boundary="REL"\r\n\r\n'
        b'--REL\r\nContent-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
        b"--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTotal 10 EUR\r\n"
        b"--ALT\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Total <b>10 EUR</b><img src=\"cid:logo\"></p>\r\n"
        b"--ALT--\r\n"
        b"--REL\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Disposition: inline\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--REL--\r\n"
        b"--OUT\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\n"
        b"Content-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0=\r\n--OUT--\r\n"
    )
    await send_raw(server, "nested@a.test", raw)
    mail = await fetch_only_mail(server_client, session["sid_token"])
    assert "<b>10 EUR</b>" in mail["mail_body"]
    assert mail["mail_excerpt"] == "Total 10 EUR"
    assert mail["mail_attachments"] == [
        {"name": "attachment-1.png", "size": 8, "type": "image/png"},
        {"name": "receipt.pdf", "size": 5, "type": "application/pdf"},
    ]


async def test_message_size_and_line_limits(start_server) -> None:
    srv = await start_server(max_message_bytes=10_000)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        await take_address(client, "limits")
    big = build_mail("limits@a.test", text="x\n" * 8000)
    with pytest.raises(smtplib.SMTPSenderRefused) as declared:  # smtplib declares SIZE up front
        await deliver(srv.smtp_port, "limits@a.test", big)
    assert declared.value.smtp_code == 552

    def undeclared() -> int:
        with smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=10) as smtp:
            smtp.ehlo()
            smtp.mail("sender@example.org")
            smtp.rcpt("limits@a.test")
            return smtp.data(big)[0]

    assert await asyncio.to_thread(undeclared) == 552
    long_line = b"Subject: long\r\n\r\n" + b"y" * 2000 + b"\r\n"
    with pytest.raises(smtplib.SMTPDataError) as too_long:
        await deliver(srv.smtp_port, "limits@a.test", long_line)
    assert too_long.value.smtp_code == 500
    assert srv.control.stream_count() == 0


def test_deliver_sync_helper_against_a_thread_server(tmp_path) -> None:
    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ServerThread

    with ServerThread(ServerConfig(data_dir=tmp_path, welcome_mail=False)) as srv:
        srv.control.create_mailbox("sync@b.test")
        assert deliver_sync(srv.smtp_port, "sync@b.test", build_mail("sync@b.test")) == {}
        with httpx.Client(base_url=srv.base_url) as client:
            opened = client.post("/ajax.php?f=open_email_address", data={"email_addr": "sync@b.test"}).json()
            listed = client.post("/ajax.php?f=get_email_list", data={"sid_token": opened["sid_token"]}).json()
        assert listed["count"] == 1
