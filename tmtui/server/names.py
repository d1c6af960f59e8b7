"""Random local parts that look like a person picked them ("mai.tran84")."""

from __future__ import annotations

import re
import secrets

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

LOCAL_PART = re.compile(r"^[a-z0-9._-]{3,32}$")


def random_local_part() -> str:
    """A plausible, valid (3-32 chars of a-z0-9._-) local part."""
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
