"""Streamed attachment downloads: chunks to a sink, limits, size checks, broken bodies."""

from __future__ import annotations

import httpx
import pytest

from tests.api.fakes import SID, FakeApi, form, json_reply, stream_reply
from tmtui.api import Secret, SizeMismatch, TempMailClient, TooLarge, TransportError
from tmtui.api.errors import ProtocolError, RequestTimeout

MB = 1024 * 1024
OCTET = {"content-type": "application/octet-stream", "content-disposition": "attachment"}


async def test_fake_transport_chunked_body_reaches_sink_chunk_by_chunk(fake: FakeApi, client: TempMailClient) -> None:
    chunks = [b"a" * 1000, b"b" * 1000, b"c" * 500]
    fake.on("fetch_attachment", stream_reply(chunks, headers=OCTET))
    received: list[bytes] = []
    progress: list[tuple[int, int | None]] = []
    written = await client.download_attachment(Secret(SID), "Junk:7", "otp.pdf", received.append,
                                               expected_size=2500,
                                               on_progress=lambda n, t: progress.append((n, t)))
    assert written == 2500
    assert b"".join(received) == b"".join(chunks) and len(received) == 3
    assert progress == [(1000, 2500), (2000, 2500), (2500, 2500)]
    request = fake.requests[0]
    assert request.method == "POST" and request.url.params["f"] == "fetch_attachment"
    assert form(request) == {"sid_token": [SID], "email_id": ["Junk:7"], "file_name": ["otp.pdf"]}


async def test_fake_transport_async_sink_is_awaited(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"xy", b"z"], headers=OCTET))
    received: list[bytes] = []

    async def sink(chunk: bytes) -> None:
        received.append(chunk)

    assert await client.download_attachment(Secret(SID), "1", "f", sink) == 3
    assert received == [b"xy", b"z"]


async def test_fake_transport_content_length_over_limit_fails_before_reading(
        fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"x" * 10], headers={**OCTET, "content-length": str(5 * MB + 1)}))
    received: list[bytes] = []
    with pytest.raises(TooLarge):
        await client.download_attachment(Secret(SID), "1", "big.bin", received.append)
    assert received == []


async def test_fake_transport_streamed_bytes_over_limit_fail_without_content_length(
        fake: FakeApi, client: TempMailClient) -> None:
    chunk = b"z" * (1 * MB)
    fake.on("fetch_attachment", stream_reply([chunk] * 6, headers=OCTET))
    received: list[bytes] = []
    with pytest.raises(TooLarge):
        await client.download_attachment(Secret(SID), "1", "big.bin", received.append)
    assert sum(map(len, received)) == 5 * MB  # the crossing chunk never reached the sink


async def test_fake_transport_exactly_the_limit_is_allowed(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"q" * MB] * 5, headers={**OCTET, "content-length": str(5 * MB)}))
    sizes: list[int] = []
    assert await client.download_attachment(Secret(SID), "1", "f", lambda c: sizes.append(len(c))) == 5 * MB


async def test_fake_transport_custom_small_limit(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"12345", b"6"], headers=OCTET))
    with pytest.raises(TooLarge):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None, max_bytes=5)


async def test_fake_transport_body_longer_than_declared_size(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"abcd", b"efgh"], headers=OCTET))
    with pytest.raises(SizeMismatch):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None, expected_size=6)


async def test_fake_transport_content_length_above_declared_size(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"abcdefgh"], headers={**OCTET, "content-length": "8"}))
    with pytest.raises(SizeMismatch):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None, expected_size=6)


async def test_fake_transport_body_shorter_than_content_length(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"abc"], headers={**OCTET, "content-length": "10"}))
    with pytest.raises(SizeMismatch) as info:
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None)
    assert isinstance(info.value, ProtocolError)
    assert "3 of 10" in str(info.value)


async def test_fake_transport_body_longer_than_content_length(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"abc", b"def"], headers={**OCTET, "content-length": "4"}))
    with pytest.raises(SizeMismatch):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None)


async def test_fake_transport_reset_mid_body_is_transport_error_and_not_retried(
        fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"first", httpx.ReadError("connection reset by peer")],
                                             headers=OCTET))
    received: list[bytes] = []
    with pytest.raises(TransportError) as info:
        await client.download_attachment(Secret(SID), "1", "f", received.append)
    assert not isinstance(info.value, RequestTimeout)
    assert received == [b"first"]
    assert len(fake.requests) == 1  # bytes already reached the sink: no silent restart


async def test_fake_transport_stall_mid_body_is_request_timeout(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"first", httpx.ReadTimeout("stalled")], headers=OCTET))
    with pytest.raises(RequestTimeout):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None)


async def test_fake_transport_download_retries_before_any_byte(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", json_reply({"error": "Upstream"}, 502), stream_reply([b"ok"], headers=OCTET))
    received: list[bytes] = []
    assert await client.download_attachment(Secret(SID), "1", "f", received.append) == 2
    assert received == [b"ok"] and len(fake.requests) == 2


@pytest.mark.parametrize(("status", "error"), [(413, TooLarge), (404, Exception)])
async def test_fake_transport_download_error_statuses(fake: FakeApi, client: TempMailClient,
                                                      status: int, error: type[Exception]) -> None:
    fake.on("fetch_attachment", json_reply({"error": "nope"}, status))
    received: list[bytes] = []
    with pytest.raises(error) as info:
        await client.download_attachment(Secret(SID), "1", "f", received.append)
    assert getattr(info.value, "server_error", None) == "nope"
    assert received == []


async def test_fake_transport_sink_error_propagates(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"a", b"b"], headers=OCTET))

    def full_disk(chunk: bytes) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        await client.download_attachment(Secret(SID), "1", "f", full_disk)


async def test_fake_transport_undecodable_download_is_protocol_error(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_attachment", stream_reply([b"\x00not gzip"], headers={**OCTET, "content-encoding": "gzip"}))
    with pytest.raises(ProtocolError, match="could not be decoded"):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None)


async def test_fake_transport_gzip_download_counts_decoded_bytes(fake: FakeApi, client: TempMailClient) -> None:
    import gzip
    payload = b"A" * 200_000
    packed = gzip.compress(payload)
    headers = {**OCTET, "content-encoding": "gzip", "content-length": str(len(packed))}
    fake.on("fetch_attachment", stream_reply([packed], headers=headers))
    out: list[bytes] = []
    assert await client.download_attachment(Secret(SID), "1", "f", out.append) == len(payload)
    assert b"".join(out) == payload
    # A small bomb: tiny on the wire, over the limit once decoded.
    fake.on("fetch_attachment", stream_reply([packed], headers=headers))
    with pytest.raises(TooLarge):
        await client.download_attachment(Secret(SID), "1", "f", lambda c: None, max_bytes=100_000)
