"""Plain-httpx calls to /ajax.php for server tests (deliberately not tmtui.api)."""

from __future__ import annotations

from typing import Any

import httpx


async def call(client: httpx.AsyncClient, action: str, **fields: Any) -> httpx.Response:
    """POST a form-encoded action; list values become repeated fields (``email_ids[]``)."""
    return await client.post("/ajax.php", params={"f": action}, data=fields)


async def new_session(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await call(client, "get_email_address", **fields)
    assert response.status_code == 200, response.text
    return response.json()


async def take_address(client: httpx.AsyncClient, user: str, domain: str | None = None, **fields: Any
                       ) -> dict[str, Any]:
    """A new session moved to ``user@domain`` (the default domain if None)."""
    session = await new_session(client)
    extra = {"email_domain": domain} if domain else {}
    response = await call(client, "set_email_user", sid_token=session["sid_token"], email_user=user,
                          **extra, **fields)
    assert response.status_code == 200, response.text
    return response.json()
