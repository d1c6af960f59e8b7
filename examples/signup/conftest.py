"""The sign-up app served for real: uvicorn on a free loopback port, mailing through ``tmtui_server``.

``tmtui_server`` and ``temp_mailbox`` come from tmtui's pytest plugin.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from signup_app import create_app
from starlette.applications import Starlette


@pytest.fixture
def app(tmtui_server) -> Starlette:
    """The app under test, sending its mail to the reference server's SMTP port."""
    return create_app(smtp_host=tmtui_server.smtp_host, smtp_port=tmtui_server.smtp_port)


@pytest.fixture
def browser(app: Starlette) -> Iterator[httpx.Client]:
    """An HTTP client on the running app."""
    # Listening before uvicorn starts: a first request waits in the backlog, no polling needed.
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    host, port = listener.getsockname()[:2]
    try:
        with httpx.Client(base_url=f"http://{host}:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
