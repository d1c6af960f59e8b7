"""Random local parts: hard to guess by default, person-like ("mai.tran84") on request.

The service's model is that anyone who knows an address can open it, so an
address must be hard to know. The classic style ("mai.tran84") had about 20
bits: one SMTP connection listed every live mailbox of a domain in minutes.
The default style adds 8 random characters of a-z0-9 ("mai.tran.k3x9q2vd"):
about 52 bits, of which 41 from the suffix alone. ``--names classic`` keeps
the old style for tests that want addresses like the real service's.
"""

from __future__ import annotations

import math
import re
import secrets
import string

# A mix of Vietnamese and international names: the service's users are both.
FIRST = (
    "mai", "linh", "anh", "minh", "hoa", "lan", "tuan", "huy", "nam", "trang", "thao", "duc",
    "khanh", "vy", "long", "ngoc", "phuong", "quang", "son", "tien", "alex", "emma", "liam",
    "olivia", "noah", "ava", "lucas", "mia", "leo", "zoe", "sam", "nina", "omar", "sara",
    "ivan", "lena", "marco", "julia", "ravi", "yuki", "tom", "anna", "ben", "clara", "dan",
)
LAST = (
    "tran", "nguyen", "le", "pham", "hoang", "vu", "dang", "bui", "do", "ho", "ngo", "duong",
    "ly", "smith", "jones", "brown", "garcia", "miller", "davis", "lopez", "wilson", "moore",
    "taylor", "martin", "lee", "walker", "hall", "young", "king", "wright", "scott", "green",
    "baker", "adams", "nelson", "carter", "silva", "rossi", "muller", "novak", "kim", "park",
)
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 8

LOCAL_PART = re.compile(r"^[a-z0-9._-]{3,32}$")


def random_bits() -> float:
    """Entropy of a default (random style) local part, in bits."""
    return math.log2(len(FIRST) * len(LAST)) + SUFFIX_LENGTH * math.log2(len(SUFFIX_ALPHABET))


def random_local_part() -> str:
    """The default style: ``first.last.`` plus 8 random characters (about 52 bits)."""
    suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{secrets.choice(FIRST)}.{secrets.choice(LAST)}.{suffix}"


def classic_local_part() -> str:
    """A plausible, valid (3-32 chars of a-z0-9._-) local part of about 20 bits."""
    first, last = secrets.choice(FIRST), secrets.choice(LAST)
    digits = f"{secrets.randbelow(100):02d}"
    shape = secrets.randbelow(5)
    if shape == 0:
        name = f"{first}.{last}{digits}"
    elif shape == 1:
        name = f"{first}{last}{digits}"
    elif shape == 2:
        name = f"{first}_{last}{secrets.randbelow(10)}"
    elif shape == 3:
        name = f"{last}.{first}{digits}"
    else:
        name = f"{first}{secrets.randbelow(10000):04d}"
    return name[:32]


def local_part(style: str) -> str:
    return classic_local_part() if style == "classic" else random_local_part()
