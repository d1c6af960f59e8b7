"""Input rules of the API contract, checked before a request is sent.

The server does not always refuse bad input: an unknown ``email_domain`` is
silently replaced by the default domain. So callers check here first and tell
the user, instead of creating something they did not ask for.
"""

from __future__ import annotations

import re

USER_PATTERN = re.compile(r"[a-z0-9._-]{3,32}")
USER_RULE = "3-32 characters: a-z 0-9 . _ -"


def user_problem(user: str) -> str | None:
    """Why ``user`` is not a valid local part for ``set_email_user``, or None.

    Upper case counts as invalid here: rewriting ``Bad`` to ``bad`` behind the
    user's back would claim an address they did not type.
    """
    if USER_PATTERN.fullmatch(user):
        return None
    return f"name {user!r} is not valid: {USER_RULE}"


def domain_problem(domain: str, domains: tuple[str, ...] | list[str]) -> str | None:
    """Why ``domain`` cannot be used (not in the server's catalog), or None."""
    if domain.lower() in (d.lower() for d in domains):
        return None
    return f"unknown domain {domain!r}; the server offers: {', '.join(domains)}"
