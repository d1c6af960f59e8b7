"""The Starlette app: /ajax.php, /events/mailbox and /health under an optional path prefix.

Every answer is JSON (or the attachment bytes, or the event stream). Bad input
of any kind is a 4xx with ``{"error": ...}``; an unexpected exception is
logged and answered with a JSON 500, never a traceback page. Checks run in
the order a proxy in front of the real service would apply them: Origin (403),
rate limit (429), action name (400), method (405), body (400/413).
"""

from __future__ import annotations

import logging
import re

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tmtui import __version__
from tmtui.server.actions import ACTIONS
from tmtui.server.core import ServerCore
from tmtui.server.errors import METHOD_NOT_ALLOWED, ORIGIN_NOT_ALLOWED, ApiError
from tmtui.server.params import Params, read_params
from tmtui.server.stream import open_stream

log = logging.getLogger(__name__)

_SLASHES = re.compile(r"/{2,}")
_SLASHES_RAW = re.compile(rb"/{2,}")
# Routes take every method so that our handlers, not Starlette, answer 405 in JSON.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
EXPOSED_HEADERS = "X-Session-Started-At, X-Session-Expires-At, X-Session-Ttl-Minutes, X-Mailbox-Event-Token"


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_origin(core: ServerCore, request: Request) -> None:
    """No Origin (curl, the terminal client) passes; a browser origin must be allowed."""
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in core.config.allowed_origins:
        raise ApiError(403, ORIGIN_NOT_ALLOWED)


def add_cors(request: Request, response: Response) -> None:
    origin = request.headers.get("origin")
    if origin is not None and response.status_code != 403:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.headers["Vary"] = "Origin"


def preflight(methods: frozenset[str]) -> Response:
    """The answer to OPTIONS: which methods the action takes."""
    return Response(status_code=204, headers={
        "Allow": ", ".join(sorted(methods)),
        "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
        "Access-Control-Allow-Headers": "Content-Type, X-Requested-With, X-Tempmail-Client",
    })


async def dispatch(core: ServerCore, request: Request, ip: str) -> Response:
    """Run the action named by ``?f=``, once its name and method are known to be good.

    A PHP backend reads ``f`` from the query or, failing that, the POST body, so a
    client that names the action only in its form (``f=get_email_list``) works
    there; it works here too. The query wins when both name one.
    """
    config = core.config
    name = request.query_params.get("f")
    params: Params | None = None
    if not name and request.method == "POST":
        params = await read_params(request, config.max_request_bytes, config.http_body_seconds)
        name = params.get("f")
    if not name:
        raise ApiError(400, "Missing action parameter f")
    entry = ACTIONS.get(name)
    if entry is None:
        raise ApiError(400, "Unsupported action")
    handler, methods = entry
    if request.method == "OPTIONS":
        return preflight(methods)
    if request.method not in methods:
        raise ApiError(405, METHOD_NOT_ALLOWED, headers={"Allow": ", ".join(sorted(methods))})
    if params is None:
        params = (await read_params(request, config.max_request_bytes, config.http_body_seconds)
                  if request.method == "POST" else Params())
    return await handler(core, params, ip)


class MergeSlashes:
    """``/tool//ajax.php`` is ``/tool/ajax.php``, as nginx (``merge_slashes on``) serves it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = {**scope, "path": _SLASHES.sub("/", scope["path"]),
                     "raw_path": _SLASHES_RAW.sub(b"/", scope.get("raw_path") or b"")}
        await self.app(scope, receive, send)


def build_app(core: ServerCore) -> ASGIApp:
    async def ajax(request: Request) -> Response:
        try:
            check_origin(core, request)
            ip = client_ip(request)
            core.check_request_rate(ip)
            response = await dispatch(core, request, ip)
        except ApiError as exc:
            response = error_response(exc)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is listening any more
        except Exception:
            log.exception("internal error in /ajax.php")
            response = JSONResponse({"error": "Internal server error"}, status_code=500)
        add_cors(request, response)
        return response

    async def events(request: Request) -> Response:
        try:
            check_origin(core, request)
            response = open_stream(core, request, client_ip(request))
        except ApiError as exc:
            response = error_response(exc)
        add_cors(request, response)
        return response

    async def health(request: Request) -> Response:
        try:
            check_origin(core, request)
            if request.method not in ("GET", "HEAD"):
                raise ApiError(405, "Method not allowed. Use GET.", headers={"Allow": "GET"})
        except ApiError as exc:
            return error_response(exc)
        return JSONResponse({"ok": True, "domains": len(core.domains), "version": __version__,
                             "streams": core.hub.total})

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = {404: "Not found", 405: "Method not allowed"}.get(status, "Request failed")
        return JSONResponse({"error": message}, status_code=status)

    prefix = core.config.path_prefix
    routes = [
        Route(f"{prefix}/ajax.php", ajax, methods=ALL_METHODS),
        Route(f"{prefix}/events/mailbox", events, methods=ALL_METHODS),
        Route(f"{prefix}/health", health, methods=ALL_METHODS),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: http_error})
    return MergeSlashes(app)
