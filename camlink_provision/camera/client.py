"""CameraClient: one camera's firmware surface (firmware-contract.md) as typed calls.

    client = CameraClient("gate-ptz", connection, credentials)
    client.getparam(["system_info", "camctrl_c0_preset"])   # one GET, many names
    client.setparam({"system_hostname": "gate"})             # one POST form body

Reads are GET and retried; everything that changes or does something is POST (DELETE for
the VCA rule removal, as the contract gives it) and is never repeated once it may have been
sent (see transport.py). One request is in flight per client at any time; run many clients
at once for concurrency.

Every failure is a ``CameraError`` naming the camera and the request as method, path and
parameter *names* (``Call``), attached in one place (``CameraClient._failures``).

Callers speak the built-in profile's names; ``naming`` rewrites the [modelled] ones into the
camera's own spellings on the way out and back (an override file said so: docs/new-firmware.md).
Two variants change what ``_text`` does with a request: ``readonly.ReadOnlyClient`` (the
probe) and ``record.RecordingClient`` (``plan --record``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, NamedTuple

from camlink_provision.camera import wire
from camlink_provision.camera.auth import CameraAuth, NonceBook
from camlink_provision.camera.failures import describe_failure, local_limit
from camlink_provision.camera.transport import CameraTransport, Reply, TransportError
from camlink_provision.errors import (
    CameraAuthError,
    CameraBusy,
    CameraCommandError,
    CameraError,
    CameraLocalLimit,
    CameraProtocolError,
    CameraServerError,
    CameraUnreachable,
)
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import IDENTITY, Naming
from camlink_provision.inventory.model import Connection, Credentials, Secret

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
_MAX_NAMES_SHOWN = 8
# One record per HTTP request (camera, Call, status or error class, ms; never a value or
# the query string); the CLI shows it with -v, and sizes and repeats with -vv.
REQUEST_LOG = logging.getLogger("camlink_provision.requests")


class Position(NamedTuple):
    pan: int
    tilt: int
    zoom: int


class TrackingStatus(NamedTuple):
    status: str  # Waiting | Tracking | Missing | Sleep
    rule: str  # the rule being tracked, "" when none


class LinkTestResult(NamedTuple):
    """A spotter's "Test preset" answer: its contact with the peer, then the action's."""

    result: str  # ok | unreachable | unauthorized: the Test button's contact with the peer
    action: str  # ok | refused | unauthorized | unreachable; "" when result is not ok (the
    #              spotter did not get through, so it performed nothing)


@dataclass(frozen=True)
class Call:
    """A request as errors show it: method, path and parameter names — never a value."""

    method: str
    path: str
    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        shown = ", ".join(self.names[:_MAX_NAMES_SHOWN])
        more = len(self.names) - _MAX_NAMES_SHOWN
        if more > 0:
            shown += f", +{more} more"
        return f"{self.method} {self.path}" + (f" [{shown}]" if shown else "")


class _HttpStatus(Exception):
    """A reply status other than 200, raised inside ``_failures`` to be named there."""

    def __init__(self, response: Reply, refusal: str) -> None:
        super().__init__(response.status)
        self.status = response.status
        self.reason = response.reason
        self.body = response.data
        self.refusal = refusal  # why a 401 challenge went unanswered, if it did


class CameraClient:
    """Typed calls on one camera. Thread-safe; one request in flight at a time."""

    def __init__(self, name: str, connection: Connection, credentials: Credentials, *,
                 retries: int = 2, backoff: float = 0.1, naming: Naming = IDENTITY,
                 nonces: NonceBook | None = None) -> None:
        """``naming``: the camera's firmware profile's spellings; ``nonces``: the run's
        ``NonceBook``, so this client starts from the Digest nonce an earlier client of the
        run got from this camera (one round trip saved)."""
        self.name = name
        self.connection = connection
        self.naming = naming
        self.requests_sent = 0
        self._username = credentials.username
        camera = connection.base_url
        self._auth = CameraAuth(credentials, connection.auth, book=nonces, camera=camera)
        # A rotation of the admin password: the other password this account may hold now,
        # tried once when the one in use is refused; whichever works is used from then on.
        self._other_auth = None if credentials.previous_password is None else CameraAuth(
            replace(credentials, password=credentials.previous_password), connection.auth,
            book=nonces, camera=camera)
        self._primary = self._auth
        self._lock = threading.Lock()
        self._transport = CameraTransport(connection, self._count_sent, retries, backoff)

    def __repr__(self) -> str:
        return (f"CameraClient({self.name!r}, {self.connection.base_url}, "
                f"user={self._username!r}, auth={self.connection.auth!r})")

    def __enter__(self) -> CameraClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    @property
    def on_previous_password(self) -> bool:
        """Whether the camera took only ``credentials.previous_password`` (so far)."""
        return self._auth is not self._primary

    # -- parameters ------------------------------------------------------------------------

    def getparam(self, names: Sequence[str]) -> dict[str, str]:
        """Values of parameters and whole groups (by prefix), all in one request."""
        sent = [self.naming.param_out(name) for name in names]
        call = Call("GET", fw.GETPARAM, tuple(sent))
        with self._failures(call):
            pairs = wire.parse_pairs(self._text(call, query=wire.encode_names(sent)))
            if self.naming.identity:  # the common case: replies of 1,000+ lines
                return pairs
            return {self.naming.param_in(k): v for k, v in pairs.items()}

    def setparam(self, values: Mapping[str, str | Secret]) -> dict[str, str]:
        """Store many parameters in one form POST; returns the pairs the camera echoed."""
        if not values:
            return {}
        sent = {self.naming.param_out(k): v for k, v in values.items()}
        call = Call("POST", fw.SETPARAM, tuple(sent))
        with self._failures(call):
            body = wire.encode_pairs(sent).encode("ascii")
            echoed = wire.parse_pairs(self._text(call, body=body, content_type=FORM))
            return {self.naming.param_in(k): v for k, v in echoed.items()}

    def dump(self, directory: str = "admin") -> dict[str, str]:
        """Every parameter readable through ``/cgi-bin/<directory>/`` (a getparam naming
        nothing), in reply order and as the camera names them: no translation (the probe
        compares these names with the profile's)."""
        call = Call("GET", getparam_path(directory))
        with self._failures(call):
            return wire.parse_pairs(self._text(call))

    def read_json(self, path: str) -> dict[str, Any]:
        """A VCA read as the camera spells it (no translation), for the probe."""
        call = Call("GET", path)
        with self._failures(call):
            return wire.parse_json_object(self._text(call))

    # -- PTZ ---------------------------------------------------------------------------------

    def move(self, pan: int, tilt: int, zoom: int) -> None:
        self._command(fw.CAMCTRL, {fw.MOVE_PAN: pan, fw.MOVE_TILT: tilt, fw.MOVE_ZOOM: zoom})

    def position(self) -> Position:
        names = (fw.GET_PAN, fw.GET_TILT, fw.GET_ZOOM)
        call = Call("GET", fw.CAMCTRL, names)
        with self._failures(call):
            pairs = wire.parse_pairs(self._text(call, query=wire.encode_names(names)))
            pan, tilt, zoom = (wire.require_int(pairs, key) for key in fw.POSITION_KEYS)
            return Position(pan, tilt, zoom)

    def action(self) -> str:
        """What the PTZ is doing: idle, tracking or patrol (passed on as the camera says)."""
        call = Call("GET", fw.CAMCTRL, (fw.GET_ACTION,))
        with self._failures(call):
            pairs = wire.parse_pairs(self._text(call, query=wire.encode_names(call.names)))
            return wire.require(pairs, fw.ACTION_KEY)

    def add_preset(self, name: str, index: int | None = None) -> None:
        """Save the current position as preset ``name`` (in slot ``index`` when given)."""
        args: dict[str, str | int] = {fw.PRESET_ADD: name}
        if index is not None:
            args[fw.PRESET_INDEX] = index
        self._command(fw.PRESET, self.naming.args_out("preset", args))

    def delete_preset(self, name: str) -> None:
        self._command(fw.PRESET, {fw.PRESET_DELETE: name})

    def recall(self, name: str) -> None:
        self._command(fw.RECALL, {fw.RECALL_NAME: name})

    # -- Smart Tracking Advanced -------------------------------------------------------------

    def tracking_rules(self) -> dict[str, dict[str, Any]]:
        call = Call("GET", self.naming.path_out(fw.VCA_TRACKING))
        with self._failures(call):
            return self.naming.rules_in(wire.parse_rules(self._text(call)))

    def put_tracking_rules(self, rules: Mapping[str, Mapping[str, Any]]) -> None:
        """Create or replace the given rules (others on the camera stay as they are)."""
        call = Call("POST", self.naming.path_out(fw.VCA_TRACKING), tuple(rules))
        with self._failures(call):
            body = json.dumps(self.naming.rules_out(rules), ensure_ascii=False).encode("utf-8")
            self._text(call, body=body, content_type=JSON_TYPE)

    def delete_tracking_rule(self, name: str) -> None:
        args = self.naming.args_out("tracking", {fw.VCA_RULE_NAME: name})
        call = Call("DELETE", self.naming.path_out(fw.VCA_TRACKING), tuple(args))
        with self._failures(call):
            self._text(call, query=wire.encode_pairs(args))

    def start_tracking(self, rule: str) -> None:
        self._command(fw.CAMCTRL, self.naming.args_out(
            "camctrl", {fw.AUTO: fw.AUTO_TRACK, fw.TRACK_RULE: rule}))

    def stop_tracking(self) -> None:
        self._command(fw.CAMCTRL, {fw.AUTO: fw.AUTO_STOP})

    def tracking_status(self) -> TrackingStatus:
        call = Call("GET", fw.VCA_STATUS)
        with self._failures(call):
            info = wire.json_member(wire.parse_json_object(self._text(call)), fw.VCA_PTZ_INFO)
            status, rule = info.get(fw.VCA_STATUS_KEY), info.get(fw.VCA_RULE_KEY, "")
            if not isinstance(status, str) or not isinstance(rule, str):
                raise wire.ReplyError(f"{fw.VCA_PTZ_INFO} lacks a text {fw.VCA_STATUS_KEY}")
            return TrackingStatus(status, rule)

    # -- Camera Link, inputs and outputs -----------------------------------------------------

    def link_test(self, index: int, event: int | None = None) -> str:
        """Have a spotter call its peer ``index`` now: ok, unreachable or unauthorized.

        With ``event``, the spotter also performs that event's camera-link action on the
        peer (the guide's "Test preset"), but only the contact's result is returned: use
        ``link_test_action`` for the action's own answer.
        """
        return self._link_test(index, event).result

    def link_test_action(self, index: int, event: int) -> LinkTestResult:
        """"Test preset": the spotter performs event ``event``'s camera-link action on its
        peer ``index`` now and answers, first-hand, how the contact and the action went.

        When ``result`` is ok the reply must carry the ``action`` line (else a
        ``CameraProtocolError``); when the contact failed the spotter performed nothing and
        ``action`` is "".
        """
        return self._link_test(index, event)

    def _link_test(self, index: int, event: int | None) -> LinkTestResult:
        args: dict[str, str | int] = {fw.LINK_TEST_INDEX: index}
        if event is not None:
            args[fw.LINK_TEST_EVENT] = event
        sent = self.naming.args_out("link_test", args)
        call = Call("POST", self.naming.path_out(fw.LINK_TEST), tuple(sent))
        budget = link_test_budget(self.connection.timeout, event is not None)
        with self._failures(call):
            replied = wire.parse_pairs(self._text(call, query=wire.encode_pairs(sent),
                                                  read_timeout=budget))
            pairs = {self.naming.arg_in("link_test", k): self.naming.outcome_in(v)
                     for k, v in replied.items()}
            result = wire.require_choice(pairs, fw.LINK_TEST_RESULT, fw.LINK_TEST_RESULTS)
            performed = event is not None and (result == fw.LINK_TEST_RESULTS[0]
                                               or fw.LINK_TEST_ACTION in pairs)
            action = (wire.require_choice(pairs, fw.LINK_TEST_ACTION, fw.LINK_TEST_ACTIONS)
                      if performed else "")
            return LinkTestResult(result, action)

    def set_vi(self, index: int, value: int) -> None:
        """Set virtual input ``index``; 1 fires the events triggered by it."""
        self._command(fw.SETVI, {fw.vi_arg(index): value})

    def set_do(self, value: int) -> None:
        """Set the camera's (first) digital output."""
        self._command(fw.SETDO, {fw.do_arg(1): value})

    # -- accounts ----------------------------------------------------------------------------

    def edit_account(self, method: str, username: str, *, password: Secret | None = None,
                     privilege: str | None = None) -> None:
        """``editaccount.cgi``: add, edit or delete an account (one form POST). Fields left
        None are not sent (an edit keeps them); the password goes in the body, never the
        URL, and errors name only the fields sent."""
        values: dict[str, str | Secret] = {fw.ACCOUNT_METHOD: method,
                                           fw.ACCOUNT_USERNAME: username}
        if password is not None:
            values[fw.ACCOUNT_USERPASS] = password
        if privilege is not None:
            values[fw.ACCOUNT_PRIVILEGE_ARG] = privilege
        call = Call("POST", fw.EDITACCOUNT, tuple(values))
        with self._failures(call):
            body = wire.encode_pairs(values).encode("ascii")
            self._text(call, body=body, content_type=FORM)

    def login_accepted(self, credentials: Credentials) -> bool:
        """Whether the camera lets ``credentials`` in: the only way to know a password is
        right (it is never readable). One read at the lowest level (``LOGIN_CHECK``); True on
        a 200, False on a refusal (401); anything else is raised as usual."""
        call = Call("GET", fw.LOGIN_CHECK, (fw.MODELNAME,))
        auth = self._auth.for_account(credentials)
        try:
            with self._failures(call):
                self._text(call, query=wire.encode_names([fw.MODELNAME]), auth=auth)
        except CameraAuthError:
            return False
        return True

    # -- one request -------------------------------------------------------------------------

    def _command(self, path: str, args: Mapping[str, str | int]) -> None:
        """A CGI that does something: POST with the contract's query, reply checked."""
        call = Call("POST", path, tuple(args))
        with self._failures(call):
            self._text(call, query=wire.encode_pairs(args))

    def _text(self, call: Call, *, query: str = "", body: bytes | None = None,
              content_type: str | None = None, read_timeout: float | None = None,
              auth: CameraAuth | None = None) -> str:
        """Send one request; the 200 reply's text, with a hidden ``ERROR:`` raised.

        ``read_timeout``: how long the reply may take, when the camera has more to do than
        answer (a link test); the connection's timeout otherwise. ``auth``: another
        account's (a login check), instead of the client's own."""
        auth = auth or self._auth
        target = call.path + (f"?{query}" if query else "")  # what the request line carries
        headers = {"Content-Type": content_type} if content_type else {}
        timeout = (self.connection.timeout, read_timeout or self.connection.timeout)

        def send(with_auth: Mapping[str, str]) -> Reply:
            return self._transport.send(call.method, target, body=body, headers=with_auth,
                                        timeout=timeout)

        with self._lock:
            started, sent = time.monotonic(), self.requests_sent
            try:
                response = auth.exchange(call.method, target, headers, send)
            except BaseException as error:
                self._log_request(call, type(error).__name__, started, sent, None)
                raise
            refusal = auth.refusal  # read under the lock: the next request resets it
            self._log_request(call, str(response.status), started, sent, response)
            if response.status == 401 and auth is self._auth and self._other_auth:
                # Refused before the camera did anything: safe to send again, once, with the
                # account's other password (the camera's is changing under a rotation).
                retry = self._other_auth.exchange(call.method, target, headers, send)
                self._log_request(call, str(retry.status), started, sent, retry)
                if retry.status != 401:
                    self._auth, self._other_auth = self._other_auth, self._auth
                    response = retry
        if response.status != 200:
            raise _HttpStatus(response, refusal)
        text = wire.decode_body(response.data)
        wire.raise_if_refused(text)
        return text

    def _log_request(self, call: Call, outcome: str, started: float, sent_before: int,
                     response: Reply | None) -> None:
        """One ``REQUEST_LOG`` record: names only; the URL's query (values) never."""
        if not REQUEST_LOG.isEnabledFor(logging.INFO):
            return
        elapsed = round((time.monotonic() - started) * 1000)
        size = len(response.data) if response is not None else None
        sent = self.requests_sent - sent_before
        challenges = response.challenges if response is not None else 0
        REQUEST_LOG.info("%s %s %s %d ms", self.name, call, outcome, elapsed,
                         extra={"camera": self.name, "call": str(call), "outcome": outcome,
                                "elapsed_ms": elapsed, "size": size, "sent": sent,
                                "challenges": challenges})

    def _count_sent(self) -> None:
        self.requests_sent += 1

    @contextmanager
    def _failures(self, call: Call) -> Iterator[None]:
        """Turn whatever goes wrong inside into a CameraError naming this camera and call."""
        try:
            yield
        except CameraError:
            raise
        except _HttpStatus as status:
            raise self._status_error(call, status) from None
        except wire.InvalidCommand as refused:
            raise CameraCommandError(self.name, f"the camera refused the command: {refused}",
                                     str(call)) from None
        except wire.ReplyError as bad:
            raise CameraProtocolError(self.name, str(bad), str(call)) from None
        except (TransportError, OSError) as error:
            # ``from None``: what the socket error says stays out of messages and logs.
            limit = local_limit(error)
            if limit:
                raise CameraLocalLimit(self.name, limit, str(call)) from None
            if not isinstance(error, TransportError):
                raise  # an OSError of this machine that is not a network failure
            raise CameraUnreachable(self.name, describe_failure(error, call.method),
                                    str(call)) from None

    def _status_error(self, call: Call, status: _HttpStatus) -> CameraError:
        where = str(call)
        if status.status == 401:
            return CameraAuthError(self.name, self._refused_message(status.refusal), where)
        if status.status == 403:
            return CameraAuthError(self.name, f"user {self._username!r} lacks the privilege "
                                   "for this request; provisioning needs an admin account",
                                   where)
        if status.status == 400:
            return CameraCommandError(self.name, _vca_reason(
                status.body, self.naming.vca_key_out(fw.VCA_ERROR)), where)
        if status.status == 404:
            return CameraCommandError(self.name, "the camera does not know this request "
                                      "(404); its firmware may not support it", where)
        if status.status == 503:
            return CameraBusy(self.name, "the camera is unavailable (503)", where)
        outcome = " — it may have been applied" if call.method != "GET" else ""
        error = CameraServerError if 500 <= status.status < 600 else CameraProtocolError
        return error(self.name, f"unexpected reply {status.status} "
                     f"{status.reason}{outcome}".strip(), where)

    def _refused_message(self, refusal: str) -> str:
        why = f" ({refusal})" if refusal else ""
        return (f"credentials refused by {self.name} for user {self._username!r}{why} — "
                "check the username and password the inventory gives for this camera "
                "(and its auth setting), and that the account is an admin")


def getparam_path(directory: str) -> str:
    """``/cgi-bin/<directory>/getparam.cgi``: the same CGI under each level's directory."""
    return fw.GETPARAM.replace("/admin/", f"/{directory}/")


def link_test_budget(own: float, with_event: bool) -> float:
    """How long a link test's reply may take: the spotter's own round trip, plus its wait
    for each request it sends the peer first (contract §6; the firmware's per-request wait).
    One timeout for both hops would misreport a slow link as a spotter that never answered."""
    requests = fw.LINK_TEST_EVENT_PEER_REQUESTS if with_event else fw.LINK_TEST_PEER_REQUESTS
    return own + fw.LINK_PEER_TIMEOUT * requests


def _vca_reason(body: bytes, key: str) -> str:
    """The reason of a VCA 400 reply ``{"Error": "<reason>"}`` (``key``: as the camera
    spells it)."""
    try:
        reason = json.loads(body.decode("utf-8")).get(key)
    except (ValueError, AttributeError):
        reason = None
    if isinstance(reason, str) and reason:
        return f"the camera refused the request: {reason}"
    return "the camera refused the request (400)"
