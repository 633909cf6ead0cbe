"""One emulated camera: its firmware behaviour, independent of any transport.

``EmulatedCamera.handle(request)`` takes a parsed HTTP request and returns the firmware's
answer; the fleet's endpoint puts that on the wire, applies faults and keeps the request log.
The state lives here (parameters, PTZ, tracking rules); each firmware interface is a small
module of its own (``ptz``, ``vca``, ``events``, ``link``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

from camlink_provision.emulator import replies
from camlink_provision.emulator.accounts import AccountBook, factory_accounts
from camlink_provision.emulator.auth import Authenticator
from camlink_provision.emulator.dialer import PeerDialer
from camlink_provision.emulator.dump import dump_table
from camlink_provision.emulator.events import EventEngine, FireResult
from camlink_provision.emulator.forms import FormError, Pair, request_pairs
from camlink_provision.emulator.http import Request
from camlink_provision.emulator.params import ParamStore, ParamTable, table_for
from camlink_provision.emulator.ptz import Ptz
from camlink_provision.emulator.replies import INVALID, Answer
from camlink_provision.emulator.spec import CameraSpec
from camlink_provision.emulator.vca import TrackingRules
from camlink_provision.emulator.wirenames import reply_out, request_in
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.models import MIN_CAMERA_LINK_MAJOR
from camlink_provision.firmware.naming import Naming
from camlink_provision.firmware.version import full_version_string

CgiHandler = Callable[[Request, list[Pair], int], Awaitable[Answer]]


def capabilities_of(spec: CameraSpec) -> fw.Capabilities:
    """What the model and firmware can do: PTZ models have presets; link needs 2103+."""
    info = spec.model_info
    return fw.Capabilities(
        npreset=info.npreset if info.ptz else 0, ndi=info.ndi, ndo=info.ndo, nvi=info.nvi,
        nevent=info.nevent, npeer=info.npeer,
        cameralink=spec.firmware_major >= MIN_CAMERA_LINK_MAJOR, ptz=info.ptz)


def tables_of(spec: CameraSpec, naming: Naming) -> tuple[ParamTable, fw.Capabilities,
                                                       dict[str, str]]:
    """The parameters a camera serves, its capabilities and its factory values: from its
    model and profile, or from the dump it was started from (emulator/dump.py)."""
    caps = capabilities_of(spec)
    if spec.dump:
        table, caps, values = dump_table(spec.dump, naming, caps)
        return table, caps, {**values, **identity_of(spec)}
    return table_for(caps, spec.profile), caps, identity_of(spec)


def identity_of(spec: CameraSpec) -> dict[str, str]:
    info = spec.model_info
    return {
        fw.MODELNAME: info.name,
        fw.SERIAL: spec.serial_number,
        fw.FIRMWARE: full_version_string(info.short_name, spec.firmware),
        fw.HOSTNAME: spec.host_name,
    }


def directory_level(path: str) -> int | None:
    """The level a ``/cgi-bin/<dir>/`` path demands [real for the four level dirs]."""
    parts = path.split("/")
    if len(parts) != 4 or parts[1] != "cgi-bin":
        return None
    return fw.LEVEL_DIRS.get(parts[2], fw.OTHER_DIR_LEVELS.get(parts[2]))


class EmulatedCamera:
    """The firmware of one camera: state plus ``async handle(request) -> Answer``."""

    def __init__(self, spec: CameraSpec, dialer: PeerDialer | None = None,
                 on_change: Callable[[EmulatedCamera], None] | None = None) -> None:
        self.spec = spec
        self.name = spec.name
        self.naming = Naming(spec.profile or fw.DEFAULT)
        table, self.caps, factory = tables_of(spec, self.naming)
        self.params = ParamStore(table, {**factory, **factory_accounts(spec.accounts)})
        self.accounts = AccountBook(self.params)
        self.auth = Authenticator(spec.auth, self.accounts.find)
        self.ptz = Ptz(self.params, self.caps)
        self.rules = TrackingRules()
        self.ptz.rule_exists = self.rules.__contains__
        self.ptz.on_change = self.changed
        self.rules.on_remove = self.ptz.rule_removed
        self.dialer = dialer
        self._on_change = on_change
        self._tasks: set[asyncio.Task[Any]] = set()
        self.events = EventEngine(self)
        self._cgi: dict[str, tuple[int, CgiHandler]] = self._cgi_routes()

    # ---- bookkeeping -------------------------------------------------------------------
    def changed(self) -> None:
        """Settings changed: persist them (when the fleet keeps state)."""
        if self._on_change is not None:
            self._on_change(self)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Background firmware work (a DO reset after its duration)."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_background(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def settings(self) -> dict[str, Any]:
        """What persistence keeps: changed parameters (secrets included) and rules."""
        params = {k: v for k, v in self.params.settings().items()
                  if not k.startswith("status_")}
        return {"params": params, "rules": self.rules.as_json()}

    def restore(self, saved: dict[str, Any]) -> None:
        self.params.restore(saved.get("params", {}))
        self.rules.restore(saved.get("rules", {}))

    def factory_reset(self) -> None:
        self.cancel_background()
        self.events.forget_firings()
        self.params.factory_reset()
        self.rules.clear()
        self.ptz.power_on(home=True)
        self.changed()

    def reboot(self) -> None:
        """What a restart loses: the output, the PTZ's current job, the detect-next delays
        being waited out. Settings stay."""
        self.cancel_background()
        self.events.forget_firings()
        self.params.store({fw.DO_STATUS: "0"} if self.caps.ndo else {})
        self.ptz.power_on(home=False)

    def state(self) -> dict[str, Any]:
        """A JSON view for tests and the control plane; passwords are left out; parameters
        under the camera's own names (its profile's)."""
        readable = [(name, value) for name, value in self.params.read([], fw.NOBODY - 1) or []
                    if not fw.is_secret_param(name)]
        return {
            "name": self.name,
            "params": {self.naming.param_out(k): v for k, v in readable},
            "presets": self.ptz.presets(),
            "rules": self.rules.as_json(),
            "position": self.ptz.position_json(),
            "action": self.ptz.action,
            "tracking": {"status": self.ptz.tracking_status, "rule": self.ptz.tracking_rule},
            "do": self.params.value(fw.DO_STATUS) == "1" if self.caps.ndo else None,
        }

    async def fire(self, kind: str, rule: str | None = None, input_: int = 0,
                   at: datetime | None = None) -> FireResult:
        return await self.events.fire(kind, rule=rule, input_=input_, at=at)

    # ---- requests ----------------------------------------------------------------------
    def _cgi_routes(self) -> dict[str, tuple[int, CgiHandler]]:
        routes: dict[str, tuple[int, CgiHandler]] = {}
        for directory, level in fw.LEVEL_DIRS.items():
            routes[f"/cgi-bin/{directory}/getparam.cgi"] = (level, self._getparam)
            routes[f"/cgi-bin/{directory}/setparam.cgi"] = (level, self._setparam)
        for path, handler in ((fw.PRESET, self.ptz.preset_cgi), (fw.RECALL, self.ptz.recall_cgi),
                              (fw.CAMCTRL, self.ptz.camctrl_cgi), (fw.SETDO, self._setdo),
                              (fw.SETVI, self._setvi), (fw.LINK_TEST, self._link_test),
                              (fw.EDITACCOUNT, self._editaccount)):
            path_level = directory_level(path)
            assert path_level is not None
            routes[path] = (path_level, handler)
        return routes

    def level_of(self, path: str) -> int | None:
        """The level a path demands, or None when the camera serves nothing there."""
        if path in self._cgi:
            return self._cgi[path][0]
        if path == fw.VCA_TRACKING:
            return fw.VCA_CONFIG_LEVEL
        if path == fw.VCA_STATUS:
            return fw.VCA_STATUS_LEVEL
        return None

    async def handle(self, request: Request, store_limit: int | None = None) -> Answer:
        """Answer one firmware request. ``store_limit`` cuts a setparam short (a fault).

        A camera with its own profile is spoken to in its spellings: ``wirenames``."""
        if self.naming.identity:
            return await self._handle(request, store_limit, request)
        wire = request
        request = request_in(self.naming, request)
        answer = await self._handle(request, store_limit, wire)
        reply = reply_out(self.naming, request.path, answer.reply)
        return Answer(reply, answer.write)

    async def _handle(self, request: Request, store_limit: int | None,
                      wire: Request) -> Answer:
        """``wire``: the request as it came, which a Digest answer was computed over."""
        level = self.level_of(request.path)
        if level is None:
            return Answer(replies.status_page(404))
        if level > 0:
            account = self.auth.authenticate(wire)
            if account is None or account.level < level:
                return Answer(replies.unauthorized(self.auth.challenge()))
        if request.path.startswith("/VCA/"):
            return self._vca(request)
        if request.method not in ("GET", "POST"):
            return Answer(replies.status_page(405))
        try:
            pairs = request_pairs(request.query, request.body if request.method == "POST"
                                  else b"")
        except FormError:
            return INVALID
        _, handler = self._cgi[request.path]
        if handler == self._setparam and store_limit is not None:
            return self._store_partial(pairs, level, store_limit)
        return await handler(request, pairs, level)

    def _vca(self, request: Request) -> Answer:
        if not self.caps.ptz:
            return Answer(replies.json_error("Smart Tracking Advanced is not supported", 404))
        if request.path == fw.VCA_STATUS:
            if request.method != "GET":
                return Answer(replies.json_error("method not allowed", 405))
            return Answer(replies.json_reply(self.ptz.status_json()))
        reply, write = self.rules.handle(request.method, request.query, request.body)
        if write:
            self.changed()
        return Answer(reply, write)

    # ---- getparam / setparam -----------------------------------------------------------
    async def _getparam(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        values = self.params.read([p.name for p in pairs], level)
        if values is None:
            return INVALID
        return Answer(replies.text(replies.param_lines(values)))

    async def _setparam(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        wanted = self.params.check_write(pairs, level)
        if wanted is None:
            return INVALID
        self.params.store(wanted)
        self.changed()
        return Answer(replies.text(replies.param_lines(self.params.echo(wanted, level))), True)

    def _store_partial(self, pairs: list[Pair], level: int, limit: int) -> Answer:
        """A write that fails after storing its first ``limit`` pairs; the endpoint resets."""
        wanted = self.params.check_write(pairs, level)
        if not wanted or limit == 0:
            return Answer(replies.invalid_command())
        self.params.store(dict(list(wanted.items())[:limit]))
        self.changed()
        return Answer(replies.invalid_command(), True)

    # ---- DO, VI, link test -------------------------------------------------------------
    async def _setdo(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        """``setdo.cgi?do1=1`` [real]: output N (1-based) on or off."""
        wanted: dict[int, bool] = {}
        for pair in pairs:
            index = _argument_index(pair.name, fw.do_arg, range(1, self.caps.ndo + 1))
            if index is None or pair.value not in ("0", "1"):
                return INVALID
            wanted[index] = pair.value == "1"
        if not wanted:
            return INVALID
        for index, on in wanted.items():
            if index == 1:  # the profile models one output's state, status_do_i0
                self.params.store({fw.DO_STATUS: "1" if on else "0"})
        return Answer(replies.text(b""))

    async def _setvi(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        """``setvi.cgi?vi0=1`` [real]: virtual input N (0-based) on fires trigger=vi events."""
        fired: list[int] = []
        for pair in pairs:
            index = _argument_index(pair.name, fw.vi_arg, range(self.caps.nvi))
            if index is None or pair.value not in ("0", "1"):
                return INVALID
            if pair.value == "1":
                fired.append(index)
        if not pairs:
            return INVALID
        for index in fired:
            await self.events.fire("vi", input_=index)
        return Answer(replies.text(b""))

    async def _editaccount(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        if request.method != "POST":
            return INVALID
        answer = self.accounts.edit(pairs)
        if answer.write:
            self.changed()
        return answer

    async def _link_test(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        body = await self.events.link_test(pairs)
        return INVALID if body is None else Answer(replies.text(body))


def _argument_index(name: str, argument: Callable[[int], str], indexes: range) -> int | None:
    """Which input or output an argument names (``do1`` -> 1), or None for none of ours."""
    return next((i for i in indexes if argument(i) == name), None)
