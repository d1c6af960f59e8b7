"""Parsing tolerance and strictness, through the client over a fake transport."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.fakes import (
    EVENT_TOKEN,
    SID,
    FakeApi,
    catalog_body,
    json_reply,
    message_body,
    page_body,
    raw_reply,
    session_body,
    summary,
)
from tmtui.api import ProtocolError, Secret, TempMailClient, parse


async def test_fake_transport_domains_parse(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_domains", json_reply(catalog_body()))
    catalog = await client.get_domains()
    assert catalog.domains == ("mailmmo.io.vn", "tempmailmmo.com")
    assert catalog.default_domain == "tempmailmmo.com"
    assert catalog.updated_at == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    assert fake.requests[0].method == "GET"


async def test_fake_transport_domains_missing_default_falls_back_to_first(
        fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_domains", json_reply({"domains": ["a.test", "b.test"]}))
    catalog = await client.get_domains()
    assert catalog.default_domain == "a.test"
    assert catalog.updated_at is None


async def test_fake_transport_session_parses_meta_and_catalog(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_address", json_reply(session_body()))
    session = await client.get_email_address()
    assert session.address == "demo@tempmailmmo.com"
    assert (session.user, session.domain) == ("demo", "tempmailmmo.com")
    assert session.sid_token == Secret(SID)
    assert session.meta.started_at == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    assert session.meta.expires_at == datetime(2024, 3, 10, 16, 0, tzinfo=UTC)
    assert session.meta.ttl_minutes == 1440
    assert session.meta.event_token == Secret(EVENT_TOKEN)
    assert session.catalog is not None and session.catalog.default_domain == "tempmailmmo.com"


async def test_fake_transport_numbers_as_strings_are_accepted(fake: FakeApi, client: TempMailClient) -> None:
    body = session_body(session_started_at="1710000000000", session_expires_at="1710086400000",
                        session_ttl_minutes="1440", domains_updated_at="1710000000000")
    fake.on("get_email_address", json_reply(body))
    session = await client.get_email_address()
    assert session.meta.expires_at == datetime(2024, 3, 10, 16, 0, tzinfo=UTC)
    assert session.meta.ttl_minutes == 1440


async def test_fake_transport_missing_optional_fields_get_defaults(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_address", json_reply({"email_addr": "x1@b.test", "sid_token": SID}))
    session = await client.get_email_address()
    assert (session.user, session.domain) == ("x1", "b.test")
    assert session.meta.expires_at is None and session.meta.event_token is None
    assert session.catalog is None


@pytest.mark.parametrize(("read", "attached", "expect"), [
    (0, 1, (False, True)), ("1", "0", (True, False)), (True, False, (True, False)),
    ("0", True, (False, True)),
])
async def test_fake_transport_flags_accept_ints_strings_bools(
        fake: FakeApi, client: TempMailClient, read: object, attached: object,
        expect: tuple[bool, bool]) -> None:
    fake.on("get_email_list", json_reply({"list": [summary("1", mail_read=read, attached=attached)]}))
    page = await client.get_email_list(Secret(SID))
    assert (page.messages[0].read, page.messages[0].has_attachment) == expect


async def test_fake_transport_page_tolerates_numbers_and_missing_fields(
        fake: FakeApi, client: TempMailClient) -> None:
    item = {"mail_id": 123, "mail_timestamp": 1710000000}
    fake.on("get_email_list", json_reply({"list": [item, summary("Junk:9")], "count": "2"}))
    page = await client.get_email_list(Secret(SID))
    first, junk = page.messages
    assert first.id == "123" and first.sender == "" and first.read is False
    assert first.timestamp == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    assert junk.is_junk and junk.folder == "Junk"
    assert page.count == 2
    assert page.meta is None and page.catalog is None


async def test_fake_transport_count_defaults_to_list_length(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", json_reply({"list": [summary("1"), summary("2")]}))
    assert (await client.get_email_list(Secret(SID))).count == 2


async def test_fake_transport_message_parses(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_email", json_reply(message_body()))
    message = await client.fetch_email(Secret(SID), "123")
    assert message.subject == "Your OTP" and "424242" in message.html
    assert message.attachments[0].name == "otp.pdf" and message.attachments[0].size == 20480
    assert message.timestamp.tzinfo is UTC


async def test_fake_transport_message_without_attachments(fake: FakeApi, client: TempMailClient) -> None:
    body = message_body()
    del body["mail_attachments"]
    fake.on("fetch_email", json_reply({**body, "mail_attachments": None}))
    assert (await client.fetch_email(Secret(SID), "123")).attachments == ()


@pytest.mark.parametrize(("route", "reply", "needle"), [
    ("get_domains", raw_reply("<!doctype html><h1>502 Bad Gateway</h1>"), "HTML page"),
    ("get_domains", raw_reply("not json at all {", content_type="application/json"), "not JSON"),
    ("get_domains", raw_reply("", content_type="application/json"), "empty body"),
    ("get_domains", json_reply(["a.test"]), "expected a JSON object, got list"),
    ("get_domains", json_reply({"domains": "a.test"}), "'domains' should be a list"),
    ("get_domains", json_reply({"domains": [1, 2]}), "'domains' should be a list of strings"),
    ("get_domains", json_reply({"defaultDomain": "a.test"}), "'domains' is missing"),
    ("get_email_list", json_reply({"list": "nope", "count": 0}), "'list' should be a list, got string"),
    ("get_email_list", json_reply({"count": 0}), "'list' is missing"),
    ("get_email_list", json_reply({"list": [5]}), "'list[0]' should be an object"),
    ("get_email_list", json_reply({"list": [{"mail_timestamp": "1"}]}), "'mail_id' is missing"),
    ("get_email_list", json_reply({"list": [summary("1", mail_timestamp="soon")]}), "'mail_timestamp'"),
    ("get_email_list", json_reply({"list": [summary("1", mail_read="maybe")]}), "'mail_read'"),
    ("get_email_list", json_reply({"list": [summary("1", mail_subject=["x"])]}), "'mail_subject'"),
    ("get_email_list", json_reply({"list": [], "count": "many"}), "'count'"),
    ("get_email_list", json_reply({"list": [], "session_expires_at": {"ms": 1}}), "'session_expires_at'"),
    ("get_email_list", json_reply({"list": [], "session_expires_at": 1e300}), "'session_expires_at'"),
    ("get_email_address", json_reply({"email_addr": "a@b.test"}), "'sid_token' is missing"),
    ("get_email_address", json_reply({"sid_token": SID}), "'email_addr' is missing"),
    ("get_email_address", json_reply({"sid_token": SID, "email_addr": "nobody"}), "local@domain"),
    ("get_email_address", json_reply({"sid_token": True, "email_addr": "a@b.test"}), "'sid_token'"),
    ("fetch_email", json_reply({**message_body(), "mail_attachments": {"name": "x"}}), "'mail_attachments'"),
    ("fetch_email", json_reply({**message_body(), "mail_attachments": [{"name": "x"}]}), "'size' is missing"),
    ("del_email", json_reply({"ok": True}), "'deleted' is missing"),
])
async def test_fake_transport_garbage_becomes_one_line_protocol_error(
        fake: FakeApi, client: TempMailClient, route: str, reply: object, needle: str) -> None:
    fake.on(route, reply)  # type: ignore[arg-type]
    calls = {
        "get_domains": lambda: client.get_domains(),
        "get_email_list": lambda: client.get_email_list(Secret(SID)),
        "get_email_address": lambda: client.get_email_address(),
        "fetch_email": lambda: client.fetch_email(Secret(SID), "1"),
        "del_email": lambda: client.delete_emails(Secret(SID), ["1"]),
    }
    with pytest.raises(ProtocolError) as info:
        await calls[route]()
    message = str(info.value)
    assert needle in message
    assert "\n" not in message and route in message
    assert SID not in message


def test_timestamps_in_the_other_unit_are_converted() -> None:
    assert parse.from_seconds(1710000000000) == parse.from_seconds(1710000000)
    assert parse.from_millis(1710000000) == parse.from_millis(1710000000000)
    assert parse.from_millis(-5) is None


@pytest.mark.parametrize("value", ["1710000000", 1710000000, 1710000000.0, " 1710000000 "])
def test_mail_timestamp_representations_agree(value: object) -> None:
    item = parse.parse_summary(summary("1", mail_timestamp=value), "t")
    assert item.timestamp == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)


def test_page_meta_from_json_only_when_present() -> None:
    assert parse.parse_meta({"list": []}, "t") is None
    meta = parse.parse_meta(page_body([]), "t")
    assert meta is not None and meta.event_token == Secret(EVENT_TOKEN)
