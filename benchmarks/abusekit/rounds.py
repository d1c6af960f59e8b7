"""Each attack as a round that can be repeated, to keep a server under attack for a while.

``prepare(name, target, scale)`` makes what the attack needs (its own mailboxes,
created over the API from the attacker's addresses, mails built in advance);
``play(name, target, kit)`` runs one round and returns the bytes of mail the
server accepted with 250 in it (for the storage ratio). Rounds close what they
opened; a round of an attack that holds connections holds them for ``HOLD``
seconds first (``scale`` shrinks it, the mail sizes and counts alike).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from benchmarks.abusekit.attackers import (
    big_messages,
    guess_recipients,
    mail_of_size,
    parts_bomb,
    slowloris,
    smtp_line_flood,
    stream_hog,
)
from benchmarks.abusekit.legit import Box, Target, new_box, new_boxes, send_mail
from benchmarks.abusekit.server import ATTACKER_IPS

MIB = 1024 * 1024
HOLD = 1.0
SCENARIOS = ("smtp_lines", "smtp_big", "slowloris", "storage", "mime_parts", "streams", "enumeration", "combined")
LINES, BIG, SLOW, STORE, PARTS, GUESS = ATTACKER_IPS[:6]
HOG = ATTACKER_IPS[6:9]


@dataclass
class Kit:
    """What the rounds of one scenario use, made once."""

    scale: float
    hold: float = HOLD
    half_sent: int = 600  # past the 512 descriptors the benchmark's server has
    big_box: Box | None = None
    big_raws: list[bytes] = field(default_factory=list)
    store_boxes: list[Box] = field(default_factory=list)
    store_raw: bytes = b""
    parts_box: Box | None = None
    parts_raw: bytes = b""
    hog_box: Box | None = None


async def prepare(name: str, target: Target, scale: float) -> Kit:
    kit = Kit(scale, hold=HOLD * min(1.0, scale * 2))
    everything = name == "combined"
    if everything:
        kit.half_sent = 300  # with the other attacks' connections beside them
    if name == "smtp_big" or everything:
        kit.big_box = await new_box(target, BIG)
        count = max(2, round(6 * scale))
        kit.big_raws = [mail_of_size(kit.big_box.address, int(3 * MIB * scale), f"big-{n}") for n in range(count)]
    if name == "storage" or everything:
        kit.store_boxes = await new_boxes(target, 20, STORE)
        kit.store_raw = mail_of_size(kit.store_boxes[0].address, int(MIB * scale))
    if name == "mime_parts" or everything:
        kit.parts_box = await new_box(target, PARTS)
        kit.parts_raw = parts_bomb(kit.parts_box.address, 6000)
    if name == "streams" or everything:
        kit.hog_box = await new_box(target, HOG[0])
    return kit


async def _lines(target: Target, kit: Kit) -> int:
    held = await smtp_line_flood(target, 20, int(2 * MIB * kit.scale), LINES)
    held.close()
    return 0


async def _big(target: Target, kit: Kit) -> int:
    assert kit.big_box is not None
    codes = await big_messages(target, kit.big_box.address, kit.big_raws, BIG)
    return sum(len(raw) for raw, code in zip(kit.big_raws, codes, strict=True) if code == 250)


async def _slow(target: Target, kit: Kit) -> int:
    held = await slowloris(target, kit.half_sent, [SLOW])
    await asyncio.sleep(kit.hold)  # holding them is the attack
    held.close()
    return 0


async def _store(target: Target, kit: Kit) -> int:
    code = await asyncio.to_thread(send_mail, target, [b.address for b in kit.store_boxes], kit.store_raw, STORE)
    return len(kit.store_raw) if code == 250 else 0


async def _parts(target: Target, kit: Kit) -> int:
    assert kit.parts_box is not None
    code = await asyncio.to_thread(send_mail, target, [kit.parts_box.address], kit.parts_raw, PARTS)
    return len(kit.parts_raw) if code == 250 else 0


async def _streams(target: Target, kit: Kit) -> int:
    assert kit.hog_box is not None
    held = await stream_hog(target, kit.hog_box.token, 20, HOG)
    await asyncio.sleep(kit.hold)
    held.close()
    return 0


async def _guess(target: Target, kit: Kit) -> int:
    await guess_recipients(target, [f"guess.{secrets.token_hex(4)}@a.test" for _ in range(25)], GUESS)
    return 0


Round = Callable[[Target, Kit], Awaitable[int]]
ROUNDS: dict[str, Round] = {"smtp_lines": _lines, "smtp_big": _big, "slowloris": _slow, "storage": _store,
                            "mime_parts": _parts, "streams": _streams, "enumeration": _guess}


async def play(name: str, target: Target, kit: Kit) -> int:
    if name == "combined":
        return sum(await asyncio.gather(*(attack(target, kit) for attack in ROUNDS.values())))
    return await ROUNDS[name](target, kit)
