"""8. The reference server: SSE fan-out to 200 subscribers; get_email_list throughput.

Load comes from a child process with minimal raw-socket clients (asyncio
streams, hand-written HTTP/1.1), so the figures are the server's, not a client
library's; the server has its own process (this one) and, here, a core.

* fan-out: 200 event streams on one mailbox; mails delivered over SMTP one
  every 100 ms; latency per stream from the server answering DATA to that
  stream's socket returning the ``changed`` frame (matched by its ``count``).
* list: 8 keep-alive connections, each sending ``get_email_list`` (offset 0)
  back to back for a fixed time, on a 10,000-message mailbox; req/s and p99
  latency. Baseline: the same on a 50-message mailbox. The last page
  (offset 9,950) is in the note.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks import harness
from benchmarks.core import Metric, Target, median, ms, percentile

NAME = "server_load"
KEYS = ("server_load.fanout_p50", "server_load.fanout_p99", "server_load.list_rps", "server_load.list_p99")
SUBSCRIBERS = 200
CONNECTIONS = 8


def _fanout(srv: harness.BenchServer, streams: int, events: int) -> list[float]:
    """Latencies (ms) of ``events`` changed events to each of ``streams`` streams on one mailbox."""
    box = srv.new_mailbox()
    params = {"base_url": srv.base_url, "token": box.event_token, "streams": streams}
    with harness.Child("server_load.subscribe", params) as child, harness.Sender(srv.smtp_port) as sender:
        child.expect("ready", 60)
        accepted: dict[int, float] = {}
        for n in range(1, events + 1):
            time.sleep(0.1)
            subject = f"bench-fanout-{streams}-{n:03d}"
            sender.send(box.address, harness.build_mail(box.address, subject))
            accepted[n] = harness.PROBE.accepted[subject]
        time.sleep(0.3)
        received = child.finish(30)["received"]  # {count: [monotonic time per stream]}
    latencies = [ms(t - accepted[int(count)]) for count, stamps in received.items()
                 if int(count) in accepted for t in stamps]
    if len(latencies) != streams * events:
        raise RuntimeError(f"fan-out: {len(latencies)} of {streams * events} deliveries seen")
    return latencies


def run(quick: bool) -> list[Metric]:
    events = 5 if quick else 30
    seconds = 1.0 if quick else 8.0
    with harness.server(sse_per_session=SUBSCRIBERS) as srv:  # every subscriber shares one session
        fanout = _fanout(srv, SUBSCRIBERS, events)
        single = _fanout(srv, 1, events)

        big, small = srv.new_mailbox(), srv.new_mailbox()
        srv.control.seed(big.address, 10_000)
        srv.control.seed(small.address, 50)
        load = {"base_url": srv.base_url, "connections": CONNECTIONS, "seconds": seconds}
        results = {}
        for label, box, offset in (("big", big, 0), ("small", small, 0), ("deep", big, 9_950)):
            if label == "deep":
                load["seconds"] = seconds / 2
            with harness.Child("server_load.hammer", {**load, "sid": box.sid, "offset": offset}) as child:
                results[label] = child.expect("result", seconds + 60)
    big_r, small_r, deep_r = results["big"], results["small"], results["deep"]
    return [
        Metric("server_load.fanout_p50", f"SSE fan-out to {SUBSCRIBERS} streams: p50", percentile(fanout, 50),
               "ms", baseline=percentile(single, 50), baseline_label="1 stream", samples=len(fanout),
               note="SMTP DATA answered -> changed frame read by each stream"),
        Metric("server_load.fanout_p99", f"SSE fan-out to {SUBSCRIBERS} streams: p99", percentile(fanout, 99),
               "ms", baseline=percentile(single, 99), baseline_label="1 stream", target=Target(100, unit="ms"),
               samples=len(fanout), note=f"max {max(fanout):.1f} ms"),
        Metric("server_load.list_rps", "get_email_list on 10,000 mails: throughput", big_r["rps"], "req/s",
               baseline=small_r["rps"], baseline_label="50 mails", samples=big_r["requests"],
               note=f"{CONNECTIONS} keep-alive connections; last page (offset 9,950): {deep_r['rps']:.0f} req/s, "
                    f"p99 {ms(deep_r['p99']):.1f} ms"),
        Metric("server_load.list_p99", "get_email_list on 10,000 mails: p99 latency", ms(big_r["p99"]), "ms",
               baseline=ms(small_r["p99"]), baseline_label="50 mails", samples=big_r["requests"],
               note=f"p50 {ms(big_r['p50']):.2f} ms at {CONNECTIONS} concurrent requests"),
    ]


# -- children ---------------------------------------------------------------------------------------

def _address(base_url: str) -> tuple[str, int, str]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80, parts.path.rstrip("/")


async def subscribe(channel: Any, params: dict[str, Any]) -> None:
    """Open N event streams; stamp each ``changed`` frame per stream by its ``count``."""
    host, port, prefix = _address(params["base_url"])
    request = (f"GET {prefix}/events/mailbox?{urlencode({'token': params['token']})} HTTP/1.1\r\n"
               f"Host: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n").encode()
    received: dict[str, list[float]] = {}
    opened = asyncio.Event()
    ready = [0]

    async def stream() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        await writer.drain()
        buffer = b""
        first = True
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                now = time.monotonic()
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    frame, buffer = buffer.split(b"\r\n\r\n", 1)
                    if first and b"event: state" in frame:
                        first = False
                        ready[0] += 1
                        if ready[0] == params["streams"]:
                            opened.set()
                    elif b"event: changed" in frame:
                        data = frame.split(b"data: ", 1)[1].split(b"\r\n", 1)[0]
                        received.setdefault(str(json.loads(data)["count"]), []).append(now)
        finally:
            writer.close()

    tasks = [asyncio.create_task(stream()) for _ in range(params["streams"])]
    await asyncio.wait_for(opened.wait(), 30)
    channel.emit("ready")
    await channel.wait_for("stop")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    channel.emit("result", received=received)


async def hammer(channel: Any, params: dict[str, Any]) -> None:
    """Keep-alive connections sending get_email_list back to back; latency per request."""
    host, port, prefix = _address(params["base_url"])
    body = urlencode({"sid_token": params["sid"], "offset": str(params["offset"])}).encode()
    request = (f"POST {prefix}/ajax.php?f=get_email_list HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
               ).encode() + body
    latencies: list[float] = []
    errors = [0]
    stop_at = [0.0]

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < stop_at[0]:
                start = time.monotonic()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                payload = await reader.readexactly(length)
                latencies.append(time.monotonic() - start)
                if not head.startswith(b"HTTP/1.1 200") or b'"list"' not in payload:
                    errors[0] += 1
        finally:
            writer.close()

    stop_at[0] = time.monotonic() + 0.3  # warm-up
    await asyncio.gather(*(worker() for _ in range(params["connections"])))
    latencies.clear()
    start = time.monotonic()
    stop_at[0] = start + params["seconds"]
    await asyncio.gather(*(worker() for _ in range(params["connections"])))
    elapsed = time.monotonic() - start
    if errors[0]:
        raise RuntimeError(f"{errors[0]} get_email_list requests failed")
    channel.emit("result", requests=len(latencies), rps=len(latencies) / elapsed,
                 p50=median(latencies), p99=percentile(latencies, 99))
