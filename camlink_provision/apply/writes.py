"""Turning a camera's Ops into as few requests as the firmware allows, and sending them.

Merging rules (the order of the plan is kept wherever it can matter):

- ``setparam`` Ops merge into one form POST. A setparam may move back over VCA rule
  requests (rules and parameters never refer to each other) but never over a preset request:
  an event may name a local preset that must exist first, or stop naming one that is about
  to be deleted.
- ``put_rules`` Ops merge into one VCA POST (the firmware takes an object of many rules), over
  anything but a ``delete_rule`` of the same rule.
- ``move`` + ``add_preset`` stay two requests each: the firmware saves the *current* position.

Secrets: a setparam Op names, in ``secret_args``, the PTZ camera whose link password goes
into a parameter; the value is looked up in the Site here, at send time, as a ``Secret``
that only the camera client reveals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from camlink_provision.errors import CameraCommandError
from camlink_provision.inventory.model import Secret, Site
from camlink_provision.model import CameraPlan, Change, Op

RULE_CALLS = frozenset({"put_rules", "delete_rule"})
WRITE_CALLS = frozenset({"setparam", "add_preset", "delete_preset", "put_rules",
                         "delete_rule"})


class WriteClient(Protocol):
    """The part of ``camera.CameraClient`` the applier writes through."""

    requests_sent: int
    name: str

    def setparam(self, values: Mapping[str, str | Secret]) -> dict[str, str]: ...
    def move(self, pan: int, tilt: int, zoom: int) -> None: ...
    def add_preset(self, name: str, index: int | None = None) -> None: ...
    def delete_preset(self, name: str) -> None: ...
    def put_tracking_rules(self, rules: Mapping[str, Mapping[str, Any]]) -> None: ...
    def delete_tracking_rule(self, name: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Request:
    """One request to send: a (possibly merged) Op and the changes whose Ops it carries."""

    op: Op
    changes: tuple[str, ...] = ()


def merge_requests(changes: Sequence[Change]) -> list[Request]:
    """A camera's changes as the fewest requests, in an order that keeps their meaning."""
    out: list[Request] = []
    for change in changes:
        for op in change.ops:
            _add(out, op, change.key)
    return out


def camera_requests(camera_plan: CameraPlan) -> list[Op]:
    """The requests that apply a camera's changes, in the order apply sends them."""
    return [request.op for request in merge_requests(camera_plan.changes)]


def merge_ops(ops: Iterable[Op]) -> list[Op]:
    out: list[Request] = []
    for op in ops:
        _add(out, op, "")
    return [request.op for request in out]


def _add(out: list[Request], op: Op, key: str) -> None:
    target = _merge_target(out, op)
    if target is None:
        out.append(Request(op, (key,) if key else ()))
        return
    old = out[target]
    keys = old.changes if not key or key in old.changes else (*old.changes, key)
    out[target] = Request(_merged(old.op, op), keys)


def _merge_target(out: Sequence[Request], op: Op) -> int | None:
    """The index of an earlier request this op can join, or None."""
    if op.call not in ("setparam", "put_rules"):
        return None
    for index in range(len(out) - 1, -1, -1):
        earlier = out[index].op
        if earlier.call == op.call:
            return index
        if not _may_pass(op, earlier):
            return None
    return None


def _may_pass(op: Op, earlier: Op) -> bool:
    """Whether ``op`` may be sent before ``earlier`` without changing the outcome."""
    if op.call == "setparam":
        return earlier.call in RULE_CALLS
    # put_rules: anything but the deletion of one of its own rules
    if earlier.call == "delete_rule":
        return str(earlier.args.get("name")) not in op.args.get("rules", {})
    return True


def _merged(first: Op, second: Op) -> Op:
    if first.call == "setparam":
        return Op("setparam", {**first.args, **second.args},
                  {**first.secret_args, **second.secret_args})
    rules = {**first.args.get("rules", {}), **second.args.get("rules", {})}
    return Op("put_rules", {"rules": rules})


# ---------------------------------------------------------------------------------------------
# Describing and sending


def op_names(op: Op) -> tuple[str, ...]:
    """What an op touches, by name only: parameters, a preset, rules (for journal/events)."""
    if op.call == "setparam":
        return tuple(op.args)
    if op.call == "put_rules":
        return tuple(op.args.get("rules", {}))
    if op.call == "move":
        return ("pan", "tilt", "zoom")
    return (str(op.args.get("name", "")),)


def is_write(op: Op) -> bool:
    return op.call in WRITE_CALLS


def setparam_values(op: Op, site: Site, target: str) -> dict[str, str | Secret]:
    """The values to send to camera ``target``, secrets looked up in the Site now (never
    stored in the plan)."""
    values: dict[str, str | Secret] = {name: _text(value) for name, value in op.args.items()}
    for name, ptz in op.secret_args.items():
        camera = site.cameras.get(ptz)
        if camera is None:
            raise CameraCommandError(target, f"the plan writes the link password of {ptz!r}, "
                                     "which the inventory no longer has — make a new plan",
                                     "setparam")
        values[name] = camera.peer_credentials.password
    return values


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def send(client: WriteClient, op: Op, site: Site) -> None:
    """One request; any failure is raised as the client's CameraError."""
    args = op.args
    if op.call == "setparam":
        client.setparam(setparam_values(op, site, client.name))
    elif op.call == "move":
        client.move(int(args["pan"]), int(args["tilt"]), int(args["zoom"]))
    elif op.call == "add_preset":
        index = args.get("index")
        client.add_preset(str(args["name"]), None if index is None else int(index))
    elif op.call == "delete_preset":
        client.delete_preset(str(args["name"]))
    elif op.call == "put_rules":
        client.put_tracking_rules(args["rules"])
    elif op.call == "delete_rule":
        client.delete_tracking_rule(str(args["name"]))
    else:  # a plan file from a newer version
        raise CameraCommandError(client_name(client), f"unknown op {op.call!r} in the plan",
                                 op.call)


def client_name(client: WriteClient) -> str:
    return str(getattr(client, "name", "?"))
