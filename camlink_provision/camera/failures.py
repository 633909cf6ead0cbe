"""Name a network failure in a few words, without quoting the URL it happened on.

The transport already says what happened (``TransportError.what``) and whether the request
may have reached the camera; this adds what that means for a write (reported, never
repeated), and recognises a machine that ran out of file descriptors.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

from camlink_provision.camera.transport import TransportError


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: causes, contexts, arguments."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, *current.args)
        stack.extend(item for item in linked if isinstance(item, BaseException))


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


def describe_failure(error: TransportError, method: str) -> str:
    """What went wrong, in words; for a write that may have arrived, says it was not repeated."""
    if error.maybe_sent and method != "GET":
        return error.what + " — the camera may have applied it; it was not repeated"
    return error.what
