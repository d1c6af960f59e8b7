"""Wire format of every action against the contract: fields, JSON types, headers, status codes."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.mail import build_mail
from tests.support.wire import call, new_session, take_address

SESSION_META = {"session_started_at", "session_expires_at", "session_ttl_minutes", "mailbox_event_token"}
CATALOG = {"domains", "defaultDomain", "domains_updated_at"}
ADDRESS_KEYS = {"email_addr", "email_user", "email_domain", "sid_token", "alias"} | SESSION_META | CATALOG
SESSION_HEADERS = ("x-session-started-at", "x-session-expires-at", "x-session-ttl-minutes", "x-mailbox-event-token")


def assert_address_payload(body: dict) -> None:
    assert set(body) == ADDRESS_KEYS
    assert re.fullmatch(r"[0-9a-f]{48}", body["sid_token"])
    assert body["alias"] == 0
    assert body["email_addr"] == f"{body['email_user']}@{body['email_domain']}"
    for key in ("session_started_at", "session_expires_at", "domains_updated_at"):
        assert type(body[key]) is int and body[key] > 10**12  # milliseconds, a number
    assert body["session_ttl_minutes"] == 1440 and type(body["session_ttl_minutes"]) is int
    assert body["session_expires_at"] - body["session_started_at"] == 1440 * 60 * 1000
    assert isinstance(body["mailbox_event_token"], str) and len(body["mailbox_event_token"]) >= 16


def assert_session_headers(response: httpx.Response, body: dict | None = None) -> None:
    for name in SESSION_HEADERS:
        assert name in response.headers, name
    assert response.headers["x-session-started-at"].isdigit()
    assert response.headers["x-session-expires-at"].isdigit()
    assert response.headers["x-session-ttl-minutes"] == "1440"
    if body is not None and "mailbox_event_token" in body:
        assert response.headers["x-mailbox-event-token"] == body["mailbox_event_token"]
        assert int(response.headers["x-session-expires-at"]) == body["session_expires_at"]


async def test_get_domains_matches_contract(server_client: httpx.AsyncClient) -> None:
    response = await server_client.get("/ajax.php?f=get_domains")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["domains", "defaultDomain", "domains_updated_at"]
    assert body["domains"] == ["a.test", "b.test"] and body["defaultDomain"] == "a.test"
    assert type(body["domains_updated_at"]) is int
    assert (await server_client.post("/ajax.php?f=get_domains")).json() == body


async def test_get_email_address_creates_a_session(server_client: httpx.AsyncClient) -> None:
    response = await call(server_client, "get_email_address", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert_address_payload(body)
    assert_session_headers(response, body)
    assert body["email_domain"] == "a.test"
    assert re.fullmatch(r"[a-z0-9._-]{3,32}", body["email_user"])


async def test_get_email_address_honours_domain_and_falls_back(server_client: httpx.AsyncClient) -> None:
    assert (await new_session(server_client, email_domain="b.test"))["email_domain"] == "b.test"
    assert (await new_session(server_client, email_domain="nope.example"))["email_domain"] == "a.test"


async def test_get_email_address_restores_a_valid_session(server_client: httpx.AsyncClient) -> None:
    first = await new_session(server_client)
    again = await new_session(server_client, sid_token=first["sid_token"])
    assert again["sid_token"] == first["sid_token"] and again["email_addr"] == first["email_addr"]
    fresh = await new_session(server_client, sid_token="0" * 48)
    assert fresh["sid_token"] != first["sid_token"] and fresh["email_addr"] != first["email_addr"]


async def test_set_email_user_changes_address(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    response = await call(server_client, "set_email_user", sid_token=session["sid_token"],
                          email_user="Custom_Name", email_domain="b.test")
    assert response.status_code == 200
    body = response.json()
    assert_address_payload(body)
    assert body["email_addr"] == "custom_name@b.test"  # lower-cased first
    assert body["sid_token"] == session["sid_token"]
    assert body["mailbox_event_token"] != session["mailbox_event_token"]


async def test_set_email_user_domain_rules(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client, email_domain="b.test")
    sid = session["sid_token"]
    kept = (await call(server_client, "set_email_user", sid_token=sid, email_user="keeps.domain")).json()
    assert kept["email_addr"] == "keeps.domain@b.test"  # absent domain: stay on the current one
    fallback = (await call(server_client, "set_email_user", sid_token=sid, email_user="falls.back",
                           email_domain="unknown.example")).json()
    assert fallback["email_addr"] == "falls.back@a.test"  # invalid domain: the default


@pytest.mark.parametrize("user", ["ab", "x" * 33, "has space", "bad!char", "ü-umlaut", ""])
async def test_set_email_user_rejects_invalid_names(server_client: httpx.AsyncClient, user: str) -> None:
    session = await new_session(server_client)
    response = await call(server_client, "set_email_user", sid_token=session["sid_token"], email_user=user)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


async def test_set_email_user_409_when_held(server_client: httpx.AsyncClient) -> None:
    await take_address(server_client, "taken.box")
    other = await new_session(server_client)
    response = await call(server_client, "set_email_user", sid_token=other["sid_token"], email_user="taken.box")
    assert response.status_code == 409
    assert response.content == b'{"error":"Email address is already in use by another session"}'


async def test_open_email_address_404_with_code(server_client: httpx.AsyncClient) -> None:
    response = await call(server_client, "open_email_address", email_addr="nobody@a.test")
    assert response.status_code == 404
    assert response.content == b'{"error":"Mailbox not found on server","code":"MAILBOX_NOT_FOUND"}'
    bad_domain = await call(server_client, "open_email_address", email_addr="x@unserved.example")
    assert bad_domain.status_code == 404 and bad_domain.json()["code"] == "MAILBOX_NOT_FOUND"
    assert (await call(server_client, "open_email_address")).status_code == 400
    assert (await call(server_client, "open_email_address", email_addr="no-at-sign")).status_code == 400


async def test_open_email_address_reopens_and_resumes(server, server_client: httpx.AsyncClient) -> None:
    server.control.create_mailbox("old_mailbox@a.test")
    response = await call(server_client, "open_email_address", email_addr="Old_Mailbox@a.test", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert_address_payload(body)
    assert body["email_addr"] == "old_mailbox@a.test"
    resumed = (await call(server_client, "open_email_address", email_addr="old_mailbox@a.test",
                          sid_token=body["sid_token"])).json()
    assert resumed["sid_token"] == body["sid_token"]
    held = await call(server_client, "open_email_address", email_addr="old_mailbox@a.test")
    assert held.status_code == 409
    assert held.json() == {"error": "Email address is already in use by another session"}


async def test_removed_domain_is_mailbox_not_found(server, server_client: httpx.AsyncClient) -> None:
    server.control.create_mailbox("kept@b.test")
    before = (await server_client.get("/ajax.php?f=get_domains")).json()
    server.control.set_domains(["a.test"])
    response = await call(server_client, "open_email_address", email_addr="kept@b.test")
    assert response.status_code == 404 and response.json()["code"] == "MAILBOX_NOT_FOUND"
    after = (await server_client.get("/ajax.php?f=get_domains")).json()
    assert after["domains"] == ["a.test"] and after["domains_updated_at"] >= before["domains_updated_at"]


async def test_get_email_list_shape_and_types(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "list.shape")
    server.control.deliver("list.shape@a.test", build_mail("list.shape@a.test", subject="Your OTP",
                                                           text="Your code is 123456.",
                                                           attachments=[("otp.pdf", b"%PDF", "application/pdf")]))
    response = await call(server_client, "get_email_list", sid_token=session["sid_token"], offset="0")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"list", "count"} | SESSION_META | CATALOG
    assert body["count"] == 1 and len(body["list"]) == 1
    item = body["list"][0]
    assert list(item) == ["mail_id", "mail_from", "mail_subject", "mail_excerpt", "mail_timestamp", "mail_read",
                          "attached"]
    assert isinstance(item["mail_id"], str) and item["mail_id"].isdigit()
    assert item["mail_from"] == "Sender <sender@example.org>"
    assert item["mail_subject"] == "Your OTP"
    assert item["mail_excerpt"] == "Your code is 123456."
    assert isinstance(item["mail_timestamp"], str) and item["mail_timestamp"].isdigit()
    assert item["mail_read"] == 0 and type(item["mail_read"]) is int
    assert item["attached"] == 1 and type(item["attached"]) is int
    assert_session_headers(response, body)


async def test_fetch_email_shape_marks_read(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "fetch.shape")
    mail_id = server.control.deliver("fetch.shape@a.test", build_mail(
        "fetch.shape@a.test", subject="Your OTP", html="<html><body><p>Code <b>4242</b></p></body></html>",
        text="Code 4242", attachments=[("otp.pdf", b"x" * 20480, "application/pdf")]))
    response = await call(server_client, "fetch_email", sid_token=session["sid_token"], email_id=mail_id)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["mail_id", "mail_from", "mail_subject", "mail_body", "mail_timestamp",
                          "mail_attachments"]
    assert body["mail_id"] == mail_id
    assert "<b>4242</b>" in body["mail_body"]
    assert isinstance(body["mail_timestamp"], str)
    assert body["mail_attachments"] == [{"name": "otp.pdf", "size": 20480, "type": "application/pdf"}]
    assert_session_headers(response)
    listed = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()
    assert listed["list"][0]["mail_read"] == 1


async def test_fetch_email_not_found(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    for email_id in ("999999", "Junk:1", "abc", "Spam:1", "99999999999999999999999"):
        response = await call(server_client, "fetch_email", sid_token=session["sid_token"], email_id=email_id)
        assert response.status_code == 404, email_id
        assert response.content == b'{"error":"Email not found"}'
        assert_session_headers(response)  # after authentication, errors carry the session meta too
    assert (await call(server_client, "fetch_email", sid_token=session["sid_token"])).status_code == 400


async def test_mail_of_another_mailbox_is_not_found(server, server_client: httpx.AsyncClient) -> None:
    await take_address(server_client, "owner.one")
    mail_id = server.control.deliver("owner.one@a.test", build_mail("owner.one@a.test"))
    stranger = await new_session(server_client)
    response = await call(server_client, "fetch_email", sid_token=stranger["sid_token"], email_id=mail_id)
    assert response.status_code == 404
    deleted = await call(server_client, "del_email", sid_token=stranger["sid_token"], email_id=mail_id)
    assert deleted.json() == {"deleted": 0}


async def test_del_email_single_many_none(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "del.box")
    sid = session["sid_token"]
    ids = server.control.deliver_many("del.box@a.test", [build_mail("del.box@a.test", subject=f"m{i}")
                                                         for i in range(4)])
    none = await call(server_client, "del_email", sid_token=sid)
    assert none.status_code == 200 and none.content == b'{"deleted":0}'
    assert_session_headers(none)
    one = await call(server_client, "del_email", sid_token=sid, email_id=ids[0])
    assert one.json() == {"deleted": 1}
    many = await call(server_client, "del_email", sid_token=sid, **{"email_ids[]": [*ids[1:], "404", "junk"]})
    assert many.json() == {"deleted": 3}
    listed = (await call(server_client, "get_email_list", sid_token=sid)).json()
    assert listed["count"] == 0 and listed["list"] == []


async def test_del_email_rejects_more_than_100_ids(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    ok = await call(server_client, "del_email", sid_token=session["sid_token"],
                    **{"email_ids[]": [str(i) for i in range(100)]})
    assert ok.status_code == 200
    response = await call(server_client, "del_email", sid_token=session["sid_token"],
                          **{"email_ids[]": [str(i) for i in range(101)]})
    assert response.status_code == 400 and set(response.json()) == {"error"}


@pytest.mark.parametrize("action", ["set_email_user", "get_email_list", "fetch_email", "fetch_attachment",
                                    "del_email"])
@pytest.mark.parametrize("sid", [None, "", "zz", "0" * 48, "A" * 48])
async def test_401_for_missing_or_invalid_sid(server_client: httpx.AsyncClient, action: str, sid: str | None
                                              ) -> None:
    fields = {} if sid is None else {"sid_token": sid}
    response = await call(server_client, action, email_user="someone", email_id="1", file_name="a", **fields)
    assert response.status_code == 401
    assert response.content == b'{"error":"Missing or invalid sid_token"}'


async def test_sid_token_in_query_string_is_ignored(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    response = await server_client.post(f"/ajax.php?f=get_email_list&sid_token={session['sid_token']}")
    assert response.status_code == 401


@pytest.mark.parametrize("action", ["get_email_address", "set_email_user", "open_email_address",
                                    "get_email_list", "fetch_email", "fetch_attachment", "del_email"])
async def test_get_on_mailbox_action_is_405(server_client: httpx.AsyncClient, action: str) -> None:
    response = await server_client.get(f"/ajax.php?f={action}")
    assert response.status_code == 405
    assert response.content == b'{"error":"Method not allowed. Use POST."}'
    assert response.headers["allow"] == "POST"


async def test_odd_methods_are_json_405(server_client: httpx.AsyncClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = await server_client.request(method, "/ajax.php?f=get_email_list")
        assert response.status_code == 405 and response.json()["error"]
    assert (await server_client.request("PUT", "/ajax.php?f=get_domains")).status_code == 405


async def test_unknown_or_missing_action_is_400(server_client: httpx.AsyncClient) -> None:
    for url in ("/ajax.php", "/ajax.php?f=", "/ajax.php?f=drop_tables", "/ajax.php?f=GET_DOMAINS"):
        response = await server_client.post(url)
        assert response.status_code == 400, url
        assert set(response.json()) == {"error"}


async def test_json_body_is_tolerated(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    response = await server_client.post("/ajax.php?f=set_email_user", json={
        "sid_token": session["sid_token"], "email_user": "json.user", "force_takeover": True})
    assert response.status_code == 200 and response.json()["email_user"] == "json.user"
    listed = await server_client.post("/ajax.php?f=get_email_list", json={"sid_token": session["sid_token"],
                                                                          "offset": 0})
    assert listed.status_code == 200
    bad = await server_client.post("/ajax.php?f=get_email_list", content=b"{not json",
                                   headers={"content-type": "application/json"})
    assert bad.status_code == 400


async def test_multipart_body_is_tolerated(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    response = await server_client.post("/ajax.php?f=get_email_list",
                                        files={"sid_token": (None, session["sid_token"])})
    assert response.status_code == 200


async def test_origin_policy(start_server) -> None:
    srv = await start_server(allowed_origins=("https://tempmailmmo.com",))
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        denied = await client.get("/ajax.php?f=get_domains", headers={"Origin": "https://evil.example"})
        assert denied.status_code == 403 and denied.json() == {"error": "Origin not allowed"}
        allowed = await client.get("/ajax.php?f=get_domains", headers={"Origin": "https://tempmailmmo.com"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://tempmailmmo.com"
        assert "X-Mailbox-Event-Token" in allowed.headers["access-control-expose-headers"]
        assert (await client.get("/ajax.php?f=get_domains")).status_code == 200  # no Origin passes
        for path in ("/events/mailbox?token=x", "/health"):
            other = await client.get(path, headers={"Origin": "https://evil.example"})
            assert other.status_code == 403 and other.json() == {"error": "Origin not allowed"}


async def test_path_prefix(start_server) -> None:
    srv = await start_server(path_prefix="/tool/")
    assert srv.base_url.endswith("/tool")
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        assert (await client.get("/ajax.php?f=get_domains")).status_code == 200
        assert (await client.get("/health")).json()["ok"] is True
        session = await new_session(client)
        async with client.stream("GET", "/events/mailbox", params={"token": session["mailbox_event_token"]}) as r:
            assert r.status_code == 200
    root = srv.base_url.removesuffix("/tool")
    async with httpx.AsyncClient(base_url=root) as client:
        missing = await client.get("/ajax.php?f=get_domains")
        assert missing.status_code == 404 and missing.json() == {"error": "Not found"}


async def test_health(server_client: httpx.AsyncClient) -> None:
    body = (await server_client.get("/health")).json()
    assert body["ok"] is True and body["domains"] == 2 and isinstance(body["version"], str)
    assert (await server_client.post("/health")).status_code == 405


async def test_unknown_path_is_json_404(server_client: httpx.AsyncClient) -> None:
    response = await server_client.get("/nothing/here")
    assert response.status_code == 404 and response.json() == {"error": "Not found"}


async def test_oversized_body_is_413(server_client: httpx.AsyncClient) -> None:
    response = await server_client.post("/ajax.php?f=get_email_list", content=b"a=" + b"x" * (2 * 1024 * 1024),
                                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and set(response.json()) == {"error"}
