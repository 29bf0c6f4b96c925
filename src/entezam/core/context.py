"""Per-request context (request id, client IP) for audit events, without passing requests around."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


current_request: ContextVar[RequestContext] = ContextVar(
    "entezam_request",
    default=RequestContext(),  # noqa: B039  (immutable default)
)
