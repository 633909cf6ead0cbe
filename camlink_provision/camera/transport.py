"""The one HTTP connection pool a camera client talks through: retries, TLS, counting.

urllib3 directly, without requests on top: bench/bench_stacks.py measured requests + urllib3
at about twice the CPU per request of urllib3 alone, and a 1,000-camera plan is CPU-bound in
the HTTP client (see the README's benchmark table). Everything requests added here was
configuration (no proxies or netrc, our own auth, our own retry policy), so nothing is lost.

Retry policy, in urllib3's terms (one ``Retry`` given to every ``urlopen``):

- a connection that was never made (refused, connect timeout, DNS) is retried for every
  method: nothing reached the camera, so repeating cannot do anything twice;
- a read error (reset mid-reply, read timeout) and a 500/503 status are retried for GET only.
  Every request that changes something is sent as POST or DELETE, which urllib3 then never
  repeats once it may have been sent.

Counting: ``on_sent`` is called once per HTTP request that reached the camera, including the
ones urllib3 repeats internally and the 401 round trips of authentication; the benchmark and
the tests read it as ``CameraClient.requests_sent``.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from urllib3 import Timeout
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, SSLError
from urllib3.util.retry import Retry

from camlink_provision import __version__
from camlink_provision.inventory.model import Connection

READ_METHODS = frozenset({"GET"})
RETRY_STATUSES = frozenset({500, 503})
# A camera that is down must be reported in about a second, not after minutes of patience.
BACKOFF_MAX = 1.0
# Names the tool in a camera's own logs (urllib3's default would name the library).
USER_AGENT = f"camlink-provision/{__version__}"

OnSent = Callable[[], None]


def retry_policy(retries: int, backoff: float) -> Retry:
    """Reads retried on anything; writes only when the connection was never made."""
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,  # TLS failures and the like: repeating will not make them pass
        redirect=0,
        allowed_methods=READ_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=BACKOFF_MAX,
        # A rebooting camera may ask for minutes; the caller decides about long waits.
        respect_retry_after_header=False,
        # Hand the last 500/503 back instead of raising, so the client can name it.
        raise_on_status=False,
    )


def _never_reached_camera(error: BaseException) -> bool:
    # NewConnectionError and NameResolutionError are ConnectTimeoutError subclasses; an
    # SSLError raised before the request is written is a failed handshake.
    return isinstance(error, ConnectTimeoutError | SSLError)


if TYPE_CHECKING:
    _PoolBase = HTTPConnectionPool
else:
    _PoolBase = object


class _CameraPool(_PoolBase):
    """Pool behaviour mixed into both schemes: whole replies inside the retry loop, counting.

    The body is read inside ``_make_request`` (``preload_content``), so a reply cut short
    mid-body is a read error like any other: repeated for GET, reported for writes.
    """

    on_sent: OnSent | None = None

    def urlopen(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["preload_content"] = True
        return super().urlopen(method, url, *args, **kwargs)

    def _make_request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super()._make_request(*args, **kwargs)
        except BaseException as error:
            self._count(error)
            raise
        self._count(None)
        return response

    def _count(self, error: BaseException | None) -> None:
        if self.on_sent is not None and (error is None or not _never_reached_camera(error)):
            self.on_sent()


class _CountingHTTPPool(_CameraPool, HTTPConnectionPool):
    pass


class _CountingHTTPSPool(_CameraPool, HTTPSConnectionPool):
    pass


@dataclass(frozen=True)
class Reply:
    """One HTTP reply, read whole."""

    status: int
    reason: str
    headers: Mapping[str, str]  # case-insensitive (urllib3's HTTPHeaderDict)
    data: bytes
    # urllib3 sent the request more than once (a read retried after a timeout or a reset):
    # every attempt carried the same headers, Authorization included.
    repeated: bool = False
    challenges: int = 0  # 401 challenges answered on the way to this reply (auth.py)


class CameraTransport:
    """Requests to exactly one camera, as ``connection`` describes; one at a time (the
    client's lock), so the pool keeps at most one connection."""

    def __init__(self, connection: Connection, on_sent: OnSent, retries: int,
                 backoff: float) -> None:
        self._retry = retry_policy(retries, backoff)
        self._pool = _pool(connection, self._retry)
        self._pool.on_sent = on_sent

    def send(self, method: str, target: str, *, body: bytes | None,
             headers: Mapping[str, str], timeout: tuple[float, float]) -> Reply:
        """``method target`` (path and query); urllib3's exceptions propagate."""
        response = self._pool.urlopen(method, target, body=body,
                                      headers={"User-Agent": USER_AGENT, **headers},
                                      retries=self._retry, redirect=False,
                                      timeout=Timeout(connect=timeout[0], read=timeout[1]))
        retries = response.retries
        return Reply(response.status, response.reason or "", response.headers, response.data,
                     repeated=isinstance(retries, Retry) and bool(retries.history))

    def close(self) -> None:
        self._pool.close()


def _pool(connection: Connection, retry: Retry) -> _CameraPool:
    common: dict[str, Any] = {"maxsize": 1, "retries": retry, "block": False}
    if connection.scheme != "https":
        return _CountingHTTPPool(connection.host, connection.port, **common)
    verify = tls_verify(connection)
    return _CountingHTTPSPool(
        connection.host, connection.port, **common,
        cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
        # None: the system's trust store (urllib3 loads the default certificates).
        ca_certs=verify if isinstance(verify, str) else None)


def tls_verify(connection: Connection) -> bool | str:
    """Verification: the camera's CA file, the system store (True), or the explicit opt-out."""
    if not connection.verify_tls:
        return False
    return connection.ca_bundle or True


# -- file descriptors --------------------------------------------------------------------------
# Each camera worked on holds a socket to it (plus one while a connection is replaced). With
# --emulate the emulator runs in the same process: per camera in flight the socket it
# accepted, and a spotter's link test opens a connection to its PTZ (both ends are ours);
# every emulated camera also listens on a socket of its own.
FDS_RESERVED = 48  # the interpreter, stdio, journal, lock, the emulator's event loop
FDS_PER_CAMERA = 2
FDS_PER_EMULATED_CAMERA = 3


def fit_concurrency(requested: int, *, emulated_cameras: int = 0,
                    limits: tuple[int, int] | None = None) -> tuple[int, str]:
    """``requested`` cameras at once, or fewer if this process cannot open enough files.

    The soft RLIMIT_NOFILE is first raised towards the hard one as far as the work needs
    (any process may); what still does not fit lowers the concurrency, and the returned
    note says so ("" when nothing was lowered). ``limits``: (soft, hard), for tests.
    """
    soft, hard = limits if limits is not None else resource.getrlimit(resource.RLIMIT_NOFILE)
    per_camera = FDS_PER_CAMERA + (FDS_PER_EMULATED_CAMERA if emulated_cameras else 0)
    needed = FDS_RESERVED + emulated_cameras + requested * per_camera
    if soft == resource.RLIM_INFINITY or needed <= soft:
        return requested, ""
    if limits is None and (hard == resource.RLIM_INFINITY or hard > soft):
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
        if needed <= soft:
            return requested, ""
    fits = max(1, (soft - FDS_RESERVED - emulated_cameras) // per_camera)
    if fits >= requested:
        return requested, ""
    emulated = (f", the emulated fleet's {emulated_cameras} camera(s) included"
                if emulated_cameras else "")
    return fits, (f"note: --concurrency {requested} lowered to {fits}: this process may have "
                  f"only {soft} files open (ulimit -n){emulated}; raise ulimit -n to work on "
                  "more cameras at once")
