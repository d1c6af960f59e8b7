"""Session meta is refreshed from JSON and from X-Session-* headers of every response."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.fakes import (
    EVENT_TOKEN,
    EVENT_TOKEN2,
    SID,
    SID2,
    FakeApi,
    json_reply,
    message_body,
    meta_headers,
    page_body,
    session_body,
    stream_reply,
)
from tmtui.api import NotFound, Secret, SessionMeta, TempMailClient

LATER_MS = 1710172800000  # one day after the body's expiry
LATER = datetime(2024, 3, 11, 16, 0, tzinfo=UTC)


def recorder() -> tuple[list[tuple[Secret, SessionMeta]], object]:
    seen: list[tuple[Secret, SessionMeta]] = []
    return seen, lambda sid, meta: seen.append((sid, meta))


async def test_fake_transport_meta_from_headers_on_fetch_email() -> None:
    seen, listener = recorder()
    fake = FakeApi().on("fetch_email", json_reply(message_body(), headers=meta_headers(LATER_MS, EVENT_TOKEN2)))
    async with fake.client(on_meta=listener) as client:  # type: ignore[arg-type]
        await client.fetch_email(Secret(SID), "123")
        assert client.latest_meta(Secret(SID)) == seen[-1][1]
    assert len(seen) == 1
    sid, meta = seen[0]
    assert sid == Secret(SID)
    assert meta.expires_at == LATER and meta.ttl_minutes == 1440
    assert meta.event_token == Secret(EVENT_TOKEN2)


async def test_fake_transport_meta_from_headers_on_attachment_download() -> None:
    seen, listener = recorder()
    fake = FakeApi().on("fetch_attachment", stream_reply(
        [b"abc"], headers={"content-type": "application/octet-stream", **meta_headers(LATER_MS, EVENT_TOKEN2)}))
    async with fake.client(on_meta=listener) as client:  # type: ignore[arg-type]
        chunks: list[bytes] = []
        await client.download_attachment(Secret(SID), "1", "a.bin", chunks.append)
    assert [m.event_token for _, m in seen] == [Secret(EVENT_TOKEN2)]
    assert seen[0][1].expires_at == LATER


async def test_fake_transport_meta_from_headers_on_delete_and_error_responses() -> None:
    seen, listener = recorder()
    fake = FakeApi().on("del_email", json_reply({"deleted": 1}, headers=meta_headers(LATER_MS)))
    fake.on("fetch_email", json_reply({"error": "Email not found"}, 404, meta_headers(LATER_MS, EVENT_TOKEN2)))
    async with fake.client(on_meta=listener) as client:  # type: ignore[arg-type]
        await client.delete_emails(Secret(SID), ["1"])
        with pytest.raises(NotFound):
            await client.fetch_email(Secret(SID), "1")
    assert len(seen) == 2
    assert seen[1][1].event_token == Secret(EVENT_TOKEN2)


async def test_fake_transport_json_meta_wins_and_headers_fill_gaps() -> None:
    body = page_body(["1"])
    del body["session_ttl_minutes"]
    headers = {"X-Session-Expires-At": str(LATER_MS), "X-Session-Ttl-Minutes": "60",
               "X-Mailbox-Event-Token": EVENT_TOKEN2}
    fake = FakeApi().on("get_email_list", json_reply(body, headers=headers))
    async with fake.client() as client:
        page = await client.get_email_list(Secret(SID))
    assert page.meta is not None
    assert page.meta.event_token == Secret(EVENT_TOKEN)  # JSON value
    assert page.meta.expires_at == datetime(2024, 3, 10, 16, 0, tzinfo=UTC)
    assert page.meta.ttl_minutes == 60  # only in headers


async def test_fake_transport_partial_meta_merges_with_what_was_known() -> None:
    seen, listener = recorder()
    fake = FakeApi().on("get_email_list", json_reply(page_body([])))
    fake.on("fetch_email", json_reply(message_body(), headers={"X-Session-Expires-At": str(LATER_MS)}))
    async with fake.client(on_meta=listener) as client:  # type: ignore[arg-type]
        await client.get_email_list(Secret(SID))
        await client.fetch_email(Secret(SID), "123")
        latest = client.latest_meta(Secret(SID))
    assert latest is not None
    assert latest.expires_at == LATER
    assert latest.event_token == Secret(EVENT_TOKEN)  # kept from the earlier JSON
    assert latest.started_at == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    assert len(seen) == 2


async def test_fake_transport_response_without_meta_notifies_nobody() -> None:
    seen, listener = recorder()
    fake = FakeApi().on("fetch_email", json_reply(message_body()))
    async with fake.client(on_meta=listener) as client:  # type: ignore[arg-type]
        await client.fetch_email(Secret(SID), "123")
        assert client.latest_meta(Secret(SID)) is None
    assert seen == []


async def test_fake_transport_malformed_meta_headers_are_ignored() -> None:
    headers = {"X-Session-Expires-At": "tomorrow", "X-Session-Ttl-Minutes": "x", "X-Mailbox-Event-Token": " "}
    fake = FakeApi().on("fetch_email", json_reply(message_body(), headers=headers))
    async with fake.client() as client:
        await client.fetch_email(Secret(SID), "123")
        assert client.latest_meta(Secret(SID)) is None


async def test_fake_transport_takeover_meta_is_keyed_by_the_returned_sid() -> None:
    seen, listener = recorder()
    fake = FakeApi().on("set_email_user", json_reply(session_body(SID2, "owned@b.test"),
                                                     headers=meta_headers(LATER_MS, EVENT_TOKEN2)))
    async with fake.client(on_meta=listener) as client:  # type: ignore[arg-type]
        session = await client.set_email_user(Secret(SID), "owned", "b.test", force_takeover=True)
        assert client.latest_meta(Secret(SID)) is None
        assert client.latest_meta(Secret(SID2)) == session.meta
    assert session.sid_token == Secret(SID2)
    assert [sid for sid, _ in seen] == [Secret(SID2)]
    assert session.meta.expires_at == datetime(2024, 3, 10, 16, 0, tzinfo=UTC)  # JSON over headers


async def test_fake_transport_set_email_user_without_sid_in_body_keeps_the_sent_one() -> None:
    body = session_body(address="custom@b.test")
    del body["sid_token"]
    fake = FakeApi().on("set_email_user", json_reply(body))
    async with fake.client() as client:
        session = await client.set_email_user(Secret(SID), "custom")
    assert session.sid_token == Secret(SID)


async def test_subscribe_and_unsubscribe(fake: FakeApi, client: TempMailClient) -> None:
    seen, listener = recorder()
    unsubscribe = client.subscribe_meta(listener)  # type: ignore[arg-type]
    fake.on("get_email_list", json_reply(page_body([])))
    await client.get_email_list(Secret(SID))
    unsubscribe()
    await client.get_email_list(Secret(SID))
    assert len(seen) == 1
    client.forget_session(Secret(SID))
    assert client.latest_meta(Secret(SID)) is None


async def test_fake_transport_a_failing_listener_does_not_fail_the_call(fake: FakeApi) -> None:
    def broken(sid: Secret, meta: SessionMeta) -> None:
        raise RuntimeError("listener bug")

    fake.on("get_email_list", json_reply(page_body(["1"])))
    async with fake.client(on_meta=broken) as client:
        page = await client.get_email_list(Secret(SID))
    assert page.count == 1
