"""The attacks of issue 13 and what they cost the reference server: shared by the abuse suite
(``tests/server/abuse/``, assertions) and the ``abuse`` benchmark (figures).

Everything stays on loopback. The server listens on 127.0.0.1; attackers
connect from other loopback addresses (127.0.0.2 and up: Linux routes all of
127.0.0.0/8 to ``lo``) so that per-IP limits see them as other clients, and
the legitimate client connects from 127.0.0.1.
"""

from __future__ import annotations

from benchmarks.abusekit.attackers import (
    Held,
    big_messages,
    closed_by_server,
    guess_recipients,
    mail_of_size,
    parts_bomb,
    slowloris,
    smtp_line_flood,
    stream_hog,
)
from benchmarks.abusekit.legit import (
    Box,
    LegitProbe,
    Target,
    deliver_and_see,
    eventually,
    http_client,
    list_count,
    new_box,
    new_boxes,
    send_mail,
    small_mail,
)
from benchmarks.abusekit.server import (
    ATTACKER_IPS,
    LEGIT_IP,
    SERVER_SRC_ENV,
    RssSampler,
    ServerProcess,
    loopback_aliases_work,
)

__all__ = [
    "ATTACKER_IPS", "LEGIT_IP", "SERVER_SRC_ENV", "Box", "Held", "LegitProbe", "RssSampler", "ServerProcess", "Target",
    "big_messages", "closed_by_server", "deliver_and_see", "eventually", "guess_recipients", "http_client",
    "list_count", "loopback_aliases_work", "mail_of_size", "new_box", "new_boxes", "parts_bomb", "send_mail",
    "slowloris", "small_mail", "smtp_line_flood", "stream_hog",
]
