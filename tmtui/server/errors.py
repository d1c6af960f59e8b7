"""ApiError: one exception type that becomes the contract's JSON error body."""

from __future__ import annotations

import math

# Error texts from the contract and NOTES.md, kept in one place so tests and
# actions agree byte for byte.
INVALID_SID = "Missing or invalid sid_token"
EMAIL_NOT_FOUND = "Email not found"
MAILBOX_NOT_FOUND = "Mailbox not found on server"
METHOD_NOT_ALLOWED = "Method not allowed. Use POST."
ADDRESS_IN_USE = "Email address is already in use by another session"
ATTACHMENT_TOO_LARGE = "Attachment too large"
TOO_MANY_REQUESTS = "Too many requests. Please try again later."
ORIGIN_NOT_ALLOWED = "Origin not allowed"


class ApiError(Exception):
    """An error answer: HTTP status, message, optional business ``code``, headers."""

    def __init__(
        self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        body = {"error": self.message}
        if self.code:
            body["code"] = self.code
        return body


def too_many(retry_after: float) -> ApiError:
    """429 with a whole-second Retry-After of at least 1."""
    seconds = max(1, math.ceil(retry_after))
    return ApiError(429, TOO_MANY_REQUESTS, headers={"Retry-After": str(seconds)})
