"""Typed API errors, one per status and business code.

The server's ``error`` text is untrusted data: it is kept as an attribute and
never interpreted as markup. Messages never contain tokens.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base of every error the API layer raises."""

    status: int | None = None
    default_message = "The server returned an error"

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 server_error: str | None = None, code: str | None = None) -> None:
        self.server_error = server_error
        self.code = code
        if status is not None:
            self.status = status
        super().__init__(message or server_error or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.default_message


class TransportError(ApiError):
    """The server could not be reached, or the connection broke."""

    default_message = "Could not reach the server"


class RequestTimeout(TransportError):
    default_message = "The server did not answer in time"


class ProtocolError(ApiError):
    """The server answered something that is not the documented JSON."""

    default_message = "The server sent a response tmtui does not understand"


class SizeMismatch(ProtocolError):
    """A download's body disagrees with its Content-Length or its declared size."""

    default_message = "The attachment's size does not match what the server declared"


class BadRequest(ApiError):
    status = 400
    default_message = "The server rejected the request as malformed"


class InvalidSession(ApiError):
    status = 401
    default_message = "The session is invalid or has expired"


class Forbidden(ApiError):
    status = 403
    default_message = "The server refused the request"


class NotFound(ApiError):
    status = 404
    default_message = "Not found"


class MailboxNotFound(NotFound):
    default_message = "Mailbox not found on server"


class MethodNotAllowed(ApiError):
    status = 405
    default_message = "Method not allowed"


class AddressInUse(ApiError):
    status = 409
    default_message = "Email address is already in use by another session"


class TooLarge(ApiError):
    status = 413
    default_message = "Attachment too large"


class RateLimited(ApiError):
    status = 429
    default_message = "Too many requests"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None,
                 **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(ApiError):
    status = 500
    default_message = "The server failed"


class Unavailable(ApiError):
    status = 503
    default_message = "The service is temporarily unavailable"


STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: InvalidSession,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: AddressInUse,
    413: TooLarge,
    429: RateLimited,
    500: ServerError,
    502: ServerError,
    503: Unavailable,
}
