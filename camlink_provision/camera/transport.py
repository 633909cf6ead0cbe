"""The requests Session one camera client talks through: retries, TLS, counting.

Retry policy, in urllib3's terms (one ``Retry`` mounted through an ``HTTPAdapter``):

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

import io
import resource
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse, HTTPResponse
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, SSLError
from urllib3.poolmanager import PoolManager
from urllib3.util.retry import Retry

from camlink_provision.inventory.model import Connection

READ_METHODS = frozenset({"GET"})
RETRY_STATUSES = frozenset({500, 503})
# A camera that is down must be reported in about a second, not after minutes of patience.
BACKOFF_MAX = 1.0

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

    requests asks urllib3 for a streamed body and reads it only after urllib3's retry loop
    has returned, so a reply cut short mid-body would never be retried. Reading the body
    here, inside ``_make_request``, makes a truncated reply a read error like any other:
    repeated for GET, reported for writes.
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


class _CountingPoolManager(PoolManager):
    def __init__(self, on_sent: OnSent, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_sent = on_sent
        self.pool_classes_by_scheme = {"http": _CountingHTTPPool, "https": _CountingHTTPSPool}

    def _new_pool(self, scheme: str, host: str, port: int,
                  request_context: dict[str, Any] | None = None) -> HTTPConnectionPool:
        # urllib3 documents _new_pool as the place to customise the pools it creates.
        pool = super()._new_pool(scheme, host, port, request_context)
        if isinstance(pool, _CameraPool):
            pool.on_sent = self._on_sent
        return pool


class CameraAdapter(HTTPAdapter):
    """An HTTPAdapter with the retry policy above and a sent-request counter."""

    def __init__(self, on_sent: OnSent, retries: int, backoff: float) -> None:
        self._on_sent = on_sent
        # One request in flight per camera: one connection is all a pool ever needs.
        super().__init__(pool_connections=1, pool_maxsize=1,
                         max_retries=retry_policy(retries, backoff))

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _CountingPoolManager(self._on_sent, num_pools=connections,
                                                maxsize=maxsize, block=block, **pool_kwargs)

    def build_response(self, req: requests.PreparedRequest,
                       resp: BaseHTTPResponse) -> requests.Response:
        # The pool has already read the whole body (see _CameraPool); hand requests a fresh
        # stream over those bytes, since a preloaded urllib3 response streams nothing.
        replay = HTTPResponse(body=io.BytesIO(resp.data), headers=resp.headers,
                              status=resp.status, reason=resp.reason, version=resp.version,
                              preload_content=False, decode_content=False,
                              request_method=req.method, request_url=req.url)
        replay.retries = resp.retries  # how often urllib3 sent it: see ``was_repeated``
        return super().build_response(req, replay)


def was_repeated(response: requests.Response) -> bool:
    """Whether urllib3 sent this reply's request more than once (a read retried after a
    timeout or a reset): every attempt carried the same headers, Authorization included."""
    retries = getattr(response.raw, "retries", None)
    return isinstance(retries, Retry) and bool(retries.history)


def camera_session(connection: Connection, on_sent: OnSent, retries: int,
                   backoff: float) -> requests.Session:
    """A Session that reaches exactly one camera, as ``connection`` describes."""
    session = requests.Session()
    # Cameras are reached directly: no proxy, netrc or CA bundle from the environment.
    session.trust_env = False
    session.verify = tls_verify(connection)
    adapter = CameraAdapter(on_sent, retries, backoff)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def tls_verify(connection: Connection) -> bool | str:
    """requests' ``verify``: the camera's CA file, the system store, or the explicit opt-out."""
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
