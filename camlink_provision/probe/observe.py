"""What a camera shows of itself, read through a client that can only read.

Three getparam requests naming nothing (through ``admin``, ``viewer`` and ``anonymous``:
the lowest directory that lists a parameter is its read level) and, on a PTZ camera, the
two VCA reads. The client is built ``read_only``: anything else is refused before it is
sent, so a probe never changes a camera, whatever this module asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraCommandError, CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming

# read levels, lowest first: the first directory listing a name is its read level
LEVELS = ("anonymous", "viewer", "admin")
RULES = "tracking rules"


@dataclass(frozen=True)
class PathCheck:
    what: str  # "tracking rules", "tracking status", "link test"
    path: str
    status: str  # ok | missing | error | not checked | not applicable
    detail: str = ""
    keys: tuple[str, ...] = ()  # the rule keys the camera used, when it had rules


@dataclass
class Observation:
    params: dict[str, str]  # the admin dump, as the camera names things
    levels: dict[str, int] = field(default_factory=dict)
    paths: list[PathCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def observe(client: CameraClient, naming: Naming) -> Observation:
    """Read one camera; raises CameraError only when the admin dump itself fails."""
    params = client.dump("admin")
    seen = Observation(params)
    for directory in LEVELS:
        listed = params if directory == "admin" else _dump_or_note(client, directory, seen)
        for name in listed:
            seen.levels.setdefault(name, fw.LEVEL_DIRS[directory])
    return seen


def _dump_or_note(client: CameraClient, directory: str, seen: Observation) -> dict[str, str]:
    try:
        return client.dump(directory)
    except CameraError as error:
        seen.notes.append(f"read levels: the {directory} directory could not be read "
                          f"({error.message})")
        return {}


def check_paths(client: CameraClient, naming: Naming, ptz: bool) -> list[PathCheck]:
    """The VCA reads on a PTZ camera; the link test is never called (it acts)."""
    link_test = naming.path_out(fw.LINK_TEST)
    checks = [PathCheck("link test", link_test, "not checked",
                        "calling it makes the camera contact its peer: a probe only reads")]
    tracking = naming.path_out(fw.VCA_TRACKING)
    if not ptz:
        return [*checks, PathCheck(RULES, tracking, "not applicable", "not a PTZ camera")]
    checks.append(_json_check(client, RULES, tracking))
    checks.append(_json_check(client, "tracking status", fw.VCA_STATUS))
    return checks


def _json_check(client: CameraClient, what: str, path: str) -> PathCheck:
    try:
        body: dict[str, Any] = client.read_json(path)
    except CameraCommandError as error:
        return PathCheck(what, path, "missing", str(error.message))
    except CameraError as error:
        return PathCheck(what, path, "error", str(error.message))
    keys = sorted({k for rule in body.values() if isinstance(rule, dict) for k in rule})
    return PathCheck(what, path, "ok", f"{len(body)} object(s)", tuple(keys))
