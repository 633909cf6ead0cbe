"""Name a network failure in a few words, without quoting the URL it happened on.

urllib3 wraps the socket error several layers deep, and their messages quote the
full URL with its values. ``describe_failure`` looks through the layers for the root cause
and says what happened, and whether the request may already have reached the camera (which
matters for a write: it is then reported, never repeated).
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from collections.abc import Iterator

import urllib3.exceptions as u3

from camlink_provision.netguard import NonLoopbackConnection

# (exception types, what happened, whether the request may have been sent), most specific
# first: the first kind found anywhere in the chain of causes names the failure.
_KINDS: tuple[tuple[tuple[type[BaseException], ...], str, bool], ...] = (
    ((ssl.SSLCertVerificationError,), "TLS certificate not trusted ({detail}); give the "
     "camera's CA as ca_bundle, or opt out with verify_tls: false", False),
    ((ssl.SSLError, u3.SSLError), "TLS handshake failed", False),
    ((socket.gaierror, u3.NameResolutionError), "host name not resolved", False),
    ((NonLoopbackConnection,), "{detail}", False),
    ((ConnectionRefusedError,), "connection refused", False),
    ((u3.ReadTimeoutError,), "no reply within {timeout:g} s", True),
    # Before ConnectTimeoutError, its base: a connect that failed at once, not timed out.
    ((u3.NewConnectionError,), "could not connect ({detail})", False),
    ((u3.ConnectTimeoutError,), "no connection within {timeout:g} s", False),
    ((ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
      http.client.RemoteDisconnected, http.client.IncompleteRead, u3.ProtocolError),
     "connection reset or closed before the reply was complete", True),
)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: causes, contexts, urllib3 reasons, arguments."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None),
                  *current.args)
        stack.extend(item for item in linked if isinstance(item, BaseException))


def _detail(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return str(error.verify_message or error.reason or "verification failed")
    if isinstance(error, u3.NewConnectionError):
        # "HTTPConnection(host=..., port=...): Failed to establish ...: [Errno 113] No route"
        return str(error).rsplit(": ", 1)[-1]
    return str(error)


def _classify(causes: list[BaseException], timeout: float) -> tuple[str, bool]:
    for kinds, text, maybe_sent in _KINDS:
        found = next((cause for cause in causes if isinstance(cause, kinds)), None)
        if found is not None:
            return text.format(detail=_detail(found), timeout=timeout), maybe_sent
    return f"request failed ({type(causes[0]).__name__})", True


LOCAL_LIMIT = "too many open files on this machine: raise ulimit -n or lower --concurrency"
_OUT_OF_FILES = frozenset({errno.EMFILE, errno.ENFILE})


def local_limit(error: BaseException) -> str:
    """What ran out on *this* machine when ``error`` happened ("" when nothing did).

    EMFILE (this process) or ENFILE (the whole system) out of file descriptors: no socket
    could even be made, so nothing reached the camera, whose address and power are fine.
    """
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno in _OUT_OF_FILES:
            return LOCAL_LIMIT
    return ""


def describe_failure(error: BaseException, method: str, timeout: float) -> str:
    """What went wrong, in words; for a write that may have arrived, says it was not repeated."""
    message, maybe_sent = _classify(list(_causes(error)), timeout)
    if maybe_sent and method != "GET":
        message += " — the camera may have applied it; it was not repeated"
    return message
