"""Putting one camera back to its snapshot after a failed or mismatched write.

The snapshot is the camera's state read just before writing (equal, by fingerprint, to what
the plan was computed from). Only what the step's Ops touched is put back, and only where it
now differs from the snapshot:

- parameters: the snapshot's value of every parameter a setparam touched;
- presets: a preset the step created is deleted; one it deleted or changed is re-created at
  its old slot and position (move there, then save);
- tracking rules: a rule the step created is deleted; one it changed or deleted is put back.

Each pass reads the camera, writes the differences, and the next pass reads again; the
restore is confirmed when a read shows nothing left to put back *and* the whole camera's
fingerprint equals the snapshot's (for a snapshot that asked only part of the camera again,
after a person reviewed the plan, that part's: ``Observed.holds_the_same``). Restore writes
are idempotent (they set snapshot values), so unlike apply writes they may be repeated:
passes are retried with a growing pause, which rides out a camera that reboots or drops a
few requests.

- accounts: one the step added is deleted; a privilege it changed is put back.

What cannot be restored: a password (write-only, never read back). When the snapshot shows
the peer slot unused, its password is reset to empty, the factory value; otherwise the camera
keeps the new password and the outcome says so; and a peer's account name is then left as
the step wrote it too, because a name put back without its password is a link that can only
be refused: the pair stays whole, on the new account (a rotation's spotter keeps calling with
the new account, which works). An account the step deleted or whose password it changed
cannot be put back either (said so). The PTZ head's current position is not a setting and is
not put back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.commands import (
    AddPreset,
    Command,
    DeleteAccount,
    DeletePreset,
    DeleteRule,
    EditAccount,
    Move,
    PutRules,
    Scope,
    SetParams,
    account_names,
)
from camlink_provision.model import Observed
from camlink_provision.resources import presets
from camlink_provision.resources.base import Have

PAUSES = (0.2, 0.5, 1.0, 2.0, 3.0, 4.0)  # between passes: ~10 s in all, a short reboot


@dataclass(frozen=True)
class RestoreOutcome:
    confirmed: bool  # the camera reads back exactly as its snapshot
    note: str  # what the recap says about it


def presets_of(observed: Observed) -> dict[str, Have]:
    """Preset name -> the slot and position it holds (the planner's own parse)."""
    return {have.name: have for have in presets.RESOURCE.observed(observed)}


def restore_ops(snapshot: Observed, current: Observed, touched: Scope) -> list[Command]:
    """The requests that put what was touched back as the snapshot has it; [] when it is."""
    return [*_preset_ops(snapshot, current, touched), *_rule_ops(snapshot, current, touched),
            *_param_ops(snapshot, current, touched), *_account_ops(snapshot, current, touched)]


def kept_params(snapshot: Observed, touched: Scope) -> frozenset[str]:
    """Peer account names left as written: their slot's password could not be put back."""
    _, lost = secret_resets(snapshot, touched)
    if not lost:
        return frozenset()
    out = set()
    for param in touched.secret_params:
        parts = fw.split_slot(param)
        if parts is not None and parts[0] == fw.PEER_GROUP and param_in_use(snapshot, parts[1]):
            out.add(fw.peer_param(parts[1], fw.PEER_USERNAME))
    return frozenset(out)


def _param_ops(snapshot: Observed, current: Observed, touched: Scope) -> list[Command]:
    kept = kept_params(snapshot, touched)
    values = {name: snapshot.params[name] for name in sorted(touched.params - kept)
              if name in snapshot.params and current.params.get(name) != snapshot.params[name]}
    return [SetParams(values)] if values else []


def _account_ops(snapshot: Observed, current: Observed, touched: Scope) -> list[Command]:
    before, now = account_names(snapshot.params), account_names(current.params)
    ops: list[Command] = []
    for name in sorted(touched.accounts):
        if name in now and name not in before:
            ops.append(DeleteAccount(name))
        elif name in now and now[name] != before.get(name):
            ops.append(EditAccount(name, before[name]))
    return ops


def _preset_ops(snapshot: Observed, current: Observed, touched: Scope) -> list[Command]:
    before, now = presets_of(snapshot), presets_of(current)
    wrong = sorted(name for name in touched.presets if now.get(name) != before.get(name))
    ops: list[Command] = [DeletePreset(name) for name in wrong if name in now]
    for name in wrong:
        if name not in before:
            continue
        held = before[name]
        if isinstance(held.attrs.get("pan"), int):  # a speed dome keeps positions; save there
            pan, tilt, zoom = (_axis(held.attrs.get(axis)) for axis in presets.AXES)
            ops.append(Move(pan, tilt, zoom))
        ops.append(AddPreset(name, held.slot))
    return ops


def _axis(value: object) -> int:
    return value if isinstance(value, int) else 0


def _rule_ops(snapshot: Observed, current: Observed, touched: Scope) -> list[Command]:
    before, now = dict(snapshot.rules or {}), dict(current.rules or {})
    ops: list[Command] = [DeleteRule(name) for name in sorted(touched.rules)
                          if name not in before and name in now]
    puts = {name: before[name] for name in sorted(touched.rules)
            if name in before and now.get(name) != before[name]}
    if puts:
        ops.append(PutRules(puts))
    return ops


def secret_resets(snapshot: Observed, touched: Scope) -> tuple[dict[str, str], list[str]]:
    """Peer passwords that can be reset (their slot was unused) and those that cannot."""
    resets: dict[str, str] = {}
    lost: list[str] = []
    for param, ptz in sorted(touched.secret_params.items()):
        parts = fw.split_slot(param)
        if parts is not None and not param_in_use(snapshot, parts[1]):
            resets[param] = ""
        else:
            lost.append(ptz)
    return resets, lost


def param_in_use(snapshot: Observed, slot: int) -> bool:
    """Whether the snapshot shows peer ``slot`` in use (named or addressed)."""
    return any(snapshot.params.get(fw.peer_param(slot, f), "")
               for f in (fw.PEER_NAME, fw.PEER_ADDRESS))


def lost_accounts(snapshot: Observed, touched: Scope, current: Observed) -> list[str]:
    """Accounts the step touched that cannot be put back: deleted ones."""
    before, now = account_names(snapshot.params), account_names(current.params)
    return sorted(name for name in touched.accounts if name in before and name not in now)


Observe = Callable[[], Observed]
Send = Callable[[Sequence[Command]], None]


def restore_camera(snapshot: Observed, touched: Scope, observe: Observe, send: Send,
                   pauses: Sequence[float] = PAUSES,
                   sleep: Callable[[float], None] = time.sleep) -> RestoreOutcome:
    """Read, put back what differs, read again; until confirmed or out of passes.
    ``sleep`` waits between passes (a second signal cuts it short: ``stopping``)."""
    resets, lost = secret_resets(snapshot, touched)
    pending_resets = dict(resets)
    last_error = ""
    for attempt in range(len(pauses) + 1):
        if attempt:
            sleep(pauses[attempt - 1])
        try:
            current = observe()
            ops = restore_ops(snapshot, current, touched)
            if pending_resets:
                ops.append(SetParams(dict(pending_resets)))
            if not ops:
                return _verdict(snapshot, current, lost, kept_params(snapshot, touched),
                                lost_accounts(snapshot, touched, current))
            send(ops)
            pending_resets.clear()
        except CameraError as error:
            last_error = error.message
    return RestoreOutcome(False, "restore NOT confirmed — the camera may hold a mix of old "
                          f"and new settings; check it ({last_error or 'kept differing'})")


def _verdict(snapshot: Observed, current: Observed, lost: list[str], kept: frozenset[str],
             gone: list[str]) -> RestoreOutcome:
    note = "restored to its state before the apply (read back and confirmed)"
    expected = snapshot if not (kept or gone) else _expected(snapshot, current, kept, gone)
    if not expected.holds_the_same(current):
        return RestoreOutcome(False, "restored what this run touched, but other settings "
                              "differ from the snapshot (changed by someone else meanwhile?)")
    if lost:
        note += ("; except the link password for " + ", ".join(sorted(set(lost)))
                 + ": write-only, it cannot be read back, so the new one stays")
    for param in sorted(kept):
        if current.params.get(param) != snapshot.params.get(param):
            note += (f"; the peer keeps calling with account '{current.params.get(param)}' "
                     "and its new password (the old password cannot be put back, and a name "
                     "without its password would be refused)")
    if gone:
        note += ("; account " + ", ".join(gone) + " was deleted and cannot be put back "
                 "(its password is not readable)")
    return RestoreOutcome(True, note)


def _expected(snapshot: Observed, current: Observed, kept: frozenset[str],
              gone: list[str]) -> Observed:
    """The snapshot as a restore can make it: kept peer names as written, deleted accounts'
    slots as they are now."""
    params = dict(snapshot.params)
    for name in kept:
        if name in current.params:
            params[name] = current.params[name]
    for slot in range(fw.NACCOUNT):
        name_param = fw.account_param(slot, fw.ACCOUNT_NAME)
        if snapshot.params.get(name_param) in gone:
            for field in (fw.ACCOUNT_NAME, fw.ACCOUNT_PRIVILEGE):
                param = fw.account_param(slot, field)
                params[param] = current.params.get(param, "")
    return replace(snapshot, params=params)
