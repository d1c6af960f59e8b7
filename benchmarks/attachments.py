"""7. Saving a 5 MB attachment: Python memory and time against a raw httpx download.

A mail with a 5,000,000-byte attachment (random bytes) is delivered over SMTP.
A child process (so the server's own allocations are not traced) saves it the
way the reader does, ``tmtui.files.save_atomically`` fed by
``TempMailClient.download_attachment`` (streamed into a temporary file, its
write-back started as it grows, fsynced at the end, linked to the final name),
and, as the baseline, with a bare
``httpx.AsyncClient.stream`` POST whose chunks are written to an open file.

* memory: ``tracemalloc`` peak during one save minus the traced size just
  before it (after a warm-up save, so lazy imports do not count);
* time: the two alternate, after a warm-up, without tracemalloc; medians.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target, median, ms

NAME = "attachments"
KEYS = ("attachments.peak_memory", "attachments.save_time")
SIZE = 5_000_000


def run(quick: bool) -> list[Metric]:
    repeats = 3 if quick else 9
    with harness.server() as srv:
        mailbox = srv.new_mailbox()
        data = os.urandom(SIZE)
        with harness.Sender(srv.smtp_port) as sender:
            sender.send(mailbox.address, harness.build_mail(
                mailbox.address, "bench-attachment", text="See the attached file.",
                attachments=[("dataset.bin", data, "application/octet-stream")]))
        params = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "repeats": repeats}
        with harness.Child("attachments.save", params) as child:
            result = child.expect("result", 300)
    mib = 1024 * 1024
    return [
        Metric("attachments.peak_memory", "5 MB attachment save: peak Python memory above start",
               result["peak_ours"] / mib, "MiB", baseline=result["peak_raw"] / mib,
               baseline_label="raw httpx stream to a file", target=Target(1.0, unit="MiB"), samples=1,
               note="tracemalloc, in a child process without the server"),
        Metric("attachments.save_time", "5 MB attachment save: time", ms(median(result["ours"])), "ms",
               baseline=ms(median(result["raw"])), baseline_label="raw httpx stream to a file",
               target=Target(1.2, on="ratio"), samples=len(result["ours"]),
               note=f"ours includes fsync (write-back started as it goes) and the link to the final name; "
                    f"fsync of 5 MB alone: {ms(median(result['fsync'])):.1f} ms ({result['fs']}); the same save "
                    f"without its fsync: {ms(median(result['no_fsync'])):.1f} ms, ratio "
                    f"{median(a / b for a, b in zip(result['no_fsync'], result['raw'], strict=True)):.2f}"),
    ]


# -- child --------------------------------------------------------------------------------------

async def save(channel: Any, params: dict[str, Any]) -> None:
    import gc
    import tracemalloc

    import httpx

    from tmtui.api.client import TempMailClient
    from tmtui.api.secret import Secret
    from tmtui.files import save_atomically

    base_url, sid = params["base_url"], Secret(params["mailbox"]["sid"])
    directory = Path(params["scratch"]) / "downloads"
    directory.mkdir()
    client = TempMailClient(base_url)
    raw = httpx.AsyncClient(base_url=base_url, timeout=30)
    page = await client.get_email_list(sid)
    mail_id = page.messages[0].id
    message = await client.fetch_email(sid, mail_id)
    name, size = message.attachments[0].name, message.attachments[0].size

    async def ours() -> None:
        path = await save_atomically(directory, name, lambda sink: client.download_attachment(
            sid, mail_id, name, sink, expected_size=size, on_progress=lambda done, total: None))
        assert path.stat().st_size == size
        path.unlink()

    async def bare() -> None:
        path = directory / "raw.bin"
        form = {"sid_token": sid.reveal(), "email_id": mail_id, "file_name": name}
        async with raw.stream("POST", "/ajax.php", params={"f": "fetch_attachment"}, data=form) as response:
            response.raise_for_status()
            with open(path, "wb") as handle:
                async for chunk in response.aiter_bytes():
                    handle.write(chunk)
        assert path.stat().st_size == size
        path.unlink()

    real_fsync, real_fadvise = os.fsync, os.posix_fadvise

    async def no_fsync() -> None:
        """ours with the fsync skipped (this child only): what durability costs. The save
        starts write-back as it goes (posix_fadvise), only for the fsync's sake: skipped too."""
        os.fsync = lambda fd: None
        os.posix_fadvise = lambda fd, offset, length, advice: None
        try:
            await ours()
        finally:
            os.fsync, os.posix_fadvise = real_fsync, real_fadvise

    await ours(), await bare()  # warm-up: connections, lazy imports
    times: dict[str, list[float]] = {"ours": [], "raw": [], "no_fsync": []}
    for _ in range(params["repeats"]):
        for label, fn in (("ours", ours), ("raw", bare), ("no_fsync", no_fsync)):
            start = time.perf_counter()
            await fn()
            times[label].append(time.perf_counter() - start)

    peaks = {}
    tracemalloc.start()
    for label, fn in (("ours", ours), ("raw", bare)):
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        await fn()
        peaks[label] = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()

    fsync = []
    blob = os.urandom(size)
    for _ in range(3):
        path = directory / "fsync.bin"
        with open(path, "wb") as handle:
            handle.write(blob)
            handle.flush()
            start = time.perf_counter()
            os.fsync(handle.fileno())
            fsync.append(time.perf_counter() - start)
        path.unlink()
    await client.aclose()
    await raw.aclose()
    channel.emit("result", peak_ours=peaks["ours"], peak_raw=peaks["raw"], fsync=fsync,
                 fs=_filesystem(directory), **times)


def _filesystem(path: Path) -> str:
    """The file system type holding ``path`` (from /proc/mounts), for the note."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 2 and str(path.resolve()).startswith(fields[1]) and len(fields[1]) > len(best):
                best, kind = fields[1], fields[2]
    except OSError:
        pass
    return f"{kind} at {best or '?'}"
