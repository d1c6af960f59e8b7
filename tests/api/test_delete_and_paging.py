"""del_email batching and paging through a whole mailbox."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.api.fakes import SID, FakeApi, form, json_reply, page_body
from tmtui.api import Secret, ServerError, TempMailClient


def deleting(request: httpx.Request) -> httpx.Response:
    fields = form(request)
    return httpx.Response(200, json={"deleted": len(fields.get("email_ids[]", fields.get("email_id", [])))})


async def test_fake_transport_delete_250_ids_splits_into_3_requests(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("del_email", deleting)
    ids = [f"{i}" if i % 2 else f"Junk:{i}" for i in range(250)]
    assert await client.delete_emails(Secret(SID), ids) == 250
    assert len(fake.requests) == 3
    bodies = [form(r) for r in fake.requests]
    assert [len(b["email_ids[]"]) for b in bodies] == [100, 100, 50]
    assert [i for b in bodies for i in b["email_ids[]"]] == ids
    for request, body in zip(fake.requests, bodies, strict=True):
        assert request.method == "POST"
        assert body["sid_token"] == [SID] and "email_id" not in body
        # Repeated bracketed field names, form-encoded.
        assert request.content.count(b"email_ids%5B%5D=") == len(body["email_ids[]"])
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"


async def test_fake_transport_delete_one_id_uses_email_id(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("del_email", deleting)
    assert await client.delete_emails(Secret(SID), ["Junk:5"]) == 1
    assert form(fake.requests[0]) == {"sid_token": [SID], "email_id": ["Junk:5"]}


async def test_fake_transport_delete_101_ids_sends_a_lone_last_id_as_email_id(
        fake: FakeApi, client: TempMailClient) -> None:
    fake.on("del_email", deleting)
    assert await client.delete_emails(Secret(SID), [str(i) for i in range(101)]) == 101
    assert form(fake.requests[1]) == {"sid_token": [SID], "email_id": ["100"]}


async def test_fake_transport_delete_nothing_sends_nothing(fake: FakeApi, client: TempMailClient) -> None:
    assert await client.delete_emails(Secret(SID), []) == 0
    assert fake.requests == []


async def test_fake_transport_delete_deduplicates(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("del_email", deleting)
    assert await client.delete_emails(Secret(SID), ["1", "2", "1"]) == 2
    assert form(fake.requests[0])["email_ids[]"] == ["1", "2"]


async def test_fake_transport_delete_returns_what_the_server_counted(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("del_email", json_reply({"deleted": "1"}))
    assert await client.delete_emails(Secret(SID), ["1", "2"]) == 1


async def test_delete_rejects_a_bare_string_and_empty_ids(fake: FakeApi, client: TempMailClient) -> None:
    with pytest.raises(TypeError):
        await client.delete_emails(Secret(SID), "123")
    with pytest.raises(ValueError):
        await client.delete_emails(Secret(SID), ["1", ""])
    assert fake.requests == []


def mailbox(total: int, page_size: int, *, ignore_offset: bool = False,
            shift_after_first: int = 0) -> Callable[[httpx.Request], httpx.Response]:
    """A fake list endpoint over ``total`` mails, newest first, honouring ``offset``."""
    ids = [str(i) for i in range(total, 0, -1)]
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        offset = 0 if ignore_offset else int(form(request)["offset"][0])
        current = ids
        if calls["n"] and shift_after_first:  # new mail arrived after the first page
            current = [f"new{i}" for i in range(shift_after_first)] + ids
        calls["n"] += 1
        return httpx.Response(200, json=page_body(current[offset:offset + page_size]))

    return handler


@pytest.mark.parametrize(("total", "page_size", "requests"), [
    (0, 50, 1), (10, 50, 2), (50, 50, 2), (120, 50, 3), (150, 50, 4), (1234, 500, 3),
])
async def test_fake_transport_get_all_messages_pages_through_everything(
        fake: FakeApi, client: TempMailClient, total: int, page_size: int, requests: int) -> None:
    fake.on("get_email_list", mailbox(total, page_size))
    messages = await client.get_all_messages(Secret(SID))
    assert [m.id for m in messages] == [str(i) for i in range(total, 0, -1)]
    assert len(fake.requests) == requests
    # Each offset is what has been received so far.
    expected = [[str(min(total, page_size * i))] for i in range(requests)]
    assert [form(r)["offset"] for r in fake.requests] == expected


async def test_fake_transport_paging_stops_when_server_repeats_pages(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", mailbox(500, 50, ignore_offset=True))
    messages = await client.get_all_messages(Secret(SID))
    assert len(messages) == 50
    assert len(fake.requests) == 2


async def test_fake_transport_paging_survives_mail_arriving_mid_way(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", mailbox(100, 50, shift_after_first=1))
    messages = await client.get_all_messages(Secret(SID))
    ids = [m.id for m in messages]
    assert len(ids) == len(set(ids))  # the id pushed onto page 2 is not duplicated
    assert set(ids) >= {str(i) for i in range(1, 101)}


async def test_fake_transport_iter_mailbox_page_limit(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", mailbox(500, 50))
    pages = [page async for page in client.iter_mailbox(Secret(SID), page_limit=2)]
    assert len(pages) == 2 and all(p.count == 50 for p in pages)
    assert pages[0].meta is not None


async def test_fake_transport_iter_mailbox_yields_the_empty_first_page(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", mailbox(0, 50))
    pages = [page async for page in client.iter_mailbox(Secret(SID))]
    assert len(pages) == 1 and pages[0].messages == ()


async def test_fake_transport_paging_error_propagates(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", json_reply(page_body([str(i) for i in range(50)])),
            json_reply({"error": "boom"}, 500))
    with pytest.raises(ServerError):
        await client.get_all_messages(Secret(SID))


async def test_fake_transport_negative_offset_is_sent_as_zero(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", json_reply(page_body([])))
    await client.get_email_list(Secret(SID), offset=-5)
    assert form(fake.requests[0])["offset"] == ["0"]
