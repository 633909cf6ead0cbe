"""PTZ presets, position, action and tracking state [real unless noted in the contract §4, §7].

A fixed camera has none of it: every PTZ command is answered ``ERROR: Invalid command!``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from camlink_provision.emulator import replies
from camlink_provision.emulator.forms import Pair
from camlink_provision.emulator.http import Request
from camlink_provision.emulator.params import ParamStore
from camlink_provision.emulator.replies import INVALID, Answer
from camlink_provision.firmware import profile as fw

AXES = fw.POSITION_KEYS
CAMCTRL_SETS = dict(zip((fw.MOVE_PAN, fw.MOVE_TILT, fw.MOVE_ZOOM), AXES, strict=True))
CAMCTRL_GETS = dict(zip((fw.GET_PAN, fw.GET_TILT, fw.GET_ZOOM), AXES, strict=True))
IDLE, TRACKING = fw.PTZ_ACTIONS[0], fw.PTZ_ACTIONS[1]
WAITING, TRACKING_STATUS = fw.TRACKING_STATUSES[0], fw.TRACKING_STATUSES[1]


class Ptz:
    """Position, current action and tracking of one camera; presets live in its parameters."""

    def __init__(self, params: ParamStore, caps: fw.Capabilities) -> None:
        self._params = params
        self._caps = caps
        self.rule_exists: Callable[[str], bool] = lambda name: False
        self.on_change: Callable[[], None] = lambda: None
        self.position = {axis: 0 for axis in AXES}
        self.action = IDLE
        self.tracking_status = WAITING
        self.tracking_rule = ""
        self._axis_type = params.table.specs[fw.preset_param(0, "pan")].type \
            if caps.npreset else fw.IntType(0, 0)

    # ---- state -------------------------------------------------------------------------
    def power_on(self, *, home: bool) -> None:
        """After a reboot the PTZ is idle; a factory reset also sends it home."""
        if home:
            self.position = {axis: 0 for axis in AXES}
        self.stop_tracking()

    def move(self, pan: int, tilt: int, zoom: int) -> None:
        self.position = {"pan": pan, "tilt": tilt, "zoom": zoom}
        self.stop_tracking()  # a manual move ends automatic tracking, as on the dome

    def start_tracking(self, rule: str) -> None:
        self.action = TRACKING
        self.tracking_status = TRACKING_STATUS
        self.tracking_rule = rule

    def stop_tracking(self) -> None:
        self.action = IDLE
        self.tracking_status = WAITING
        self.tracking_rule = ""

    def rule_removed(self, name: str) -> None:
        if self.tracking_rule == name:
            self.stop_tracking()

    def position_json(self) -> dict[str, int] | None:
        return dict(self.position) if self._caps.ptz else None

    def status_json(self) -> dict[str, Any]:
        """``/VCA/Camera/Status`` [real shape for Status]."""
        return {fw.VCA_PTZ_INFO: {fw.VCA_STATUS_KEY: self.tracking_status,
                                  fw.VCA_RULE_KEY: self.tracking_rule}}

    # ---- presets -----------------------------------------------------------------------
    def preset_name(self, slot: int) -> str:
        return self._params.value(fw.preset_param(slot, "name"))

    def slot_of(self, name: str) -> int | None:
        return next((s for s in range(self._caps.npreset) if self.preset_name(s) == name), None)

    def presets(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for slot in range(self._caps.npreset):
            name = self.preset_name(slot)
            if name:
                axes = {a: int(self._params.value(fw.preset_param(slot, a))) for a in AXES}
                out.append({"index": slot, "name": name, **axes})
        return out

    def add_preset(self, name: str, index: int | None) -> bool:
        """Save the current position as ``name`` (in slot ``index`` or the first free one)."""
        if not name or fw.NAME_TYPE.check(name) is not None:
            return False
        if self.slot_of(name) is not None:
            return False  # names are unique: re-saving or moving one is delete + add
        if index is None:
            index = self.slot_of("")
        if index is None or not 0 <= index < self._caps.npreset:
            return False
        if self.preset_name(index):
            return False  # never save over another preset (firmware-contract.md section 4)
        values = {fw.preset_param(index, "name"): name}
        values.update({fw.preset_param(index, a): str(v) for a, v in self.position.items()})
        self._params.store(values)
        return True

    def delete_preset(self, name: str) -> bool:
        slot = self.slot_of(name) if name else None
        if slot is None:
            return False
        self._params.store({fw.preset_param(slot, f): "0" for f in AXES}
                           | {fw.preset_param(slot, "name"): ""})
        return True

    def recall(self, name: str) -> bool:
        slot = self.slot_of(name) if name else None
        if slot is None:
            return False
        self.move(*(int(self._params.value(fw.preset_param(slot, a))) for a in AXES))
        return True

    # ---- CGI handlers ------------------------------------------------------------------
    async def preset_cgi(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        """``preset.cgi?addpos=<name>[&index=<n>]`` or ``?delpos=<name>``."""
        args = {p.name: p.value for p in pairs}
        if not self._caps.ptz or len(args) != len(pairs) or not args.keys() <= {
                fw.PRESET_ADD, fw.PRESET_DELETE, fw.PRESET_INDEX} or (
                fw.PRESET_ADD in args) == (fw.PRESET_DELETE in args):
            return INVALID
        index = args.get(fw.PRESET_INDEX)
        if fw.PRESET_DELETE in args:
            done = index is None and self.delete_preset(args[fw.PRESET_DELETE] or "")
        elif index is not None and not (index.isdigit() and len(index) < 6):
            done = False
        else:
            done = self.add_preset(args[fw.PRESET_ADD] or "", int(index) if index else None)
        if not done:
            return INVALID
        self.on_change()
        return Answer(replies.text(b""), write=True)

    async def recall_cgi(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        """``recall.cgi?recall=<name>``: go to the preset."""
        if (not self._caps.ptz or len(pairs) != 1 or pairs[0].name != fw.RECALL_NAME
                or not self.recall(pairs[0].value or "")):
            return INVALID
        return Answer(replies.text(b""))

    async def camctrl_cgi(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        """Moves, position and action read-back, tracking start and stop."""
        if not self._caps.ptz:
            return INVALID
        command = self._camctrl_command(pairs)
        if command is None:
            return INVALID
        moves, auto, rule, reads = command
        if moves:
            self.move(**{axis: moves.get(axis, self.position[axis]) for axis in AXES})
        if auto == fw.AUTO_STOP:
            self.stop_tracking()
        elif auto == fw.AUTO_TRACK:
            self.start_tracking(rule)
        return Answer(replies.text(self._readback(reads)))

    def _camctrl_command(self, pairs: list[Pair]) -> tuple[dict[str, int], str, str,
                                                           list[str]] | None:
        """(moves, auto, rule, reads) if every pair is understood and valid, else None."""
        moves: dict[str, int] = {}
        auto, rule, reads = "", "", []
        for pair in pairs:
            if pair.name in CAMCTRL_SETS:
                value = pair.value or ""
                if self._axis_type.check(value) is not None:
                    return None
                moves[CAMCTRL_SETS[pair.name]] = int(value)
            elif pair.name in CAMCTRL_GETS or pair.name == fw.GET_ACTION:
                reads.append(pair.name)
            elif pair.name == fw.AUTO and pair.value in (fw.AUTO_TRACK, fw.AUTO_STOP):
                auto = pair.value
            elif pair.name == fw.TRACK_RULE and pair.value is not None:
                rule = pair.value
            else:
                return None
        if rule and (auto != fw.AUTO_TRACK or not self.rule_exists(rule)):
            return None
        return moves, auto, rule, reads

    def _readback(self, reads: list[str]) -> bytes:
        """``pan=<p>\\r\\ntilt=<t>\\r\\nzoom=<z>\\r\\n`` and ``action=<a>``, unquoted [real]."""
        lines = []
        for name in reads:
            if name == fw.GET_ACTION:
                lines.append(f"{fw.ACTION_KEY}={self.action}\r\n")
            else:
                axis = CAMCTRL_GETS[name]
                lines.append(f"{axis}={self.position[axis]}\r\n")
        return "".join(lines).encode("ascii")
