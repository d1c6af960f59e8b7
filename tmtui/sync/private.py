"""Unguessable mailbox names: anyone who knows an address can open it and read its mail.

The service's random names are short; a name an attacker can enumerate is a
mailbox an attacker can read. A private name is 16 characters drawn from
``a-z0-9`` by :mod:`secrets`: 36**16 is about 2**82, and it fits the API's
rule for ``set_email_user`` (3-32 of ``a-z 0-9 . _ -``).
"""

from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_lowercase + string.digits
PRIVATE_LENGTH = 16
PRIVATE_TRIES = 3  # a collision is never expected; a second one means something else is wrong


def private_name(length: int = PRIVATE_LENGTH) -> str:
    """A random local part of ``length`` characters of ``a-z0-9``, from the OS's secure source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
