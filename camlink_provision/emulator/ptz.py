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

AXES = ("pan", "tilt", "zoom")
CAMCTRL_SETS = {"setpan": "pan", "settilt": "tilt", "setzoom": "zoom"}
CAMCTRL_GETS = {"getpan": "pan", "gettilt": "tilt", "getzoom": "zoom"}


class Ptz:
    """Position, current action and tracking of one camera; presets live in its parameters."""

    def __init__(self, params: ParamStore, caps: fw.Capabilities) -> None:
        self._params = params
        self._caps = caps
        self.rule_exists: Callable[[str], bool] = lambda name: False
        self.on_change: Callable[[], None] = lambda: None
        self.position = {axis: 0 for axis in AXES}
        self.action = "idle"
        self.tracking_status = "Waiting"
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
        self.action = "tracking"
        self.tracking_status = "Tracking"
        self.tracking_rule = rule

    def stop_tracking(self) -> None:
        self.action = "idle"
        self.tracking_status = "Waiting"
        self.tracking_rule = ""

    def rule_removed(self, name: str) -> None:
        if self.tracking_rule == name:
            self.stop_tracking()

    def position_json(self) -> dict[str, int] | None:
        return dict(self.position) if self._caps.ptz else None

    def status_json(self) -> dict[str, Any]:
        """``/VCA/Camera/Status`` [real shape for Status]."""
        return {"PTZInfo": {"Status": self.tracking_status, "Rule": self.tracking_rule}}

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
        existing = self.slot_of(name)
        if index is None:
            index = existing if existing is not None else self.slot_of("")
        if index is None or not 0 <= index < self._caps.npreset:
            return False
        if existing is not None and existing != index:
            return False  # names are unique; moving one is delete + add
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
                "addpos", "delpos", "index"} or ("addpos" in args) == ("delpos" in args):
            return INVALID
        index = args.get("index")
        if "delpos" in args:
            done = index is None and self.delete_preset(args["delpos"] or "")
        elif index is not None and not (index.isdigit() and len(index) < 6):
            done = False
        else:
            done = self.add_preset(args["addpos"] or "", int(index) if index else None)
        if not done:
            return INVALID
        self.on_change()
        return Answer(replies.text(b""), write=True)

    async def recall_cgi(self, request: Request, pairs: list[Pair], level: int) -> Answer:
        """``recall.cgi?recall=<name>``: go to the preset."""
        if (not self._caps.ptz or len(pairs) != 1 or pairs[0].name != "recall"
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
        if auto == "stop":
            self.stop_tracking()
        elif auto == "objtrack":
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
            elif pair.name in CAMCTRL_GETS or pair.name == "getaction":
                reads.append(pair.name)
            elif pair.name == "auto" and pair.value in ("objtrack", "stop"):
                auto = pair.value
            elif pair.name == "rule" and pair.value is not None:
                rule = pair.value
            else:
                return None
        if rule and (auto != "objtrack" or not self.rule_exists(rule)):
            return None
        return moves, auto, rule, reads

    def _readback(self, reads: list[str]) -> bytes:
        """``pan=<p>\\r\\ntilt=<t>\\r\\nzoom=<z>\\r\\n`` and ``action=<a>``, unquoted [real]."""
        lines = []
        for name in reads:
            if name == "getaction":
                lines.append(f"action={self.action}\r\n")
            else:
                axis = CAMCTRL_GETS[name]
                lines.append(f"{axis}={self.position[axis]}\r\n")
        return "".join(lines).encode("ascii")
