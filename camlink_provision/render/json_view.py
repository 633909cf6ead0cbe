"""The plan as JSON: what ``--format json`` prints and ``--out`` saves, and reading it back.

The two are the same bytes (``render_json``), so a reviewer can diff a printed plan against a
saved one. ``load_plan`` refuses anything that is not exactly such a file — checked against
``schemas/plan.schema.json``, then for the totals it claims and for steps that are exactly
the ones its changes make (``order.steps_of``) — with a ``PlanError`` that
names the file and what to do. Whether a valid plan is still fresh (fingerprints, site) is the
applier's question, not this module's.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from camlink_provision import datafiles, order
from camlink_provision.errors import PlanError
from camlink_provision.model import PLAN_FORMAT_VERSION, Plan

SCHEMA_FILE = "plan.schema.json"
REMAKE = "make a new one with `camlink-provision plan --out FILE`"
# A schema message quotes the offending value; a foreign file may hold anything, so keep the
# message to one readable line.
_MESSAGE_LIMIT = 160


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n"


def save_plan(plan: Plan, path: str | Path) -> None:
    """Write the plan file ``--out`` names; the bytes ``--format json`` prints."""
    Path(path).write_text(render_json(plan), encoding="utf-8")


def load_plan(path: str | Path) -> Plan:
    """Read a saved plan, refusing a file that is not one (with the file and what to do)."""
    data = _read_json(Path(path))
    _check_format_version(path, data)
    _check_schema(path, data)
    plan = Plan.from_json(data)
    _check_consistency(path, data, plan)
    return plan


@functools.cache
def plan_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(datafiles.schema_text(SCHEMA_FILE))
    return schema


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"{path}: no such plan file — {REMAKE}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise PlanError(f"{path}: cannot read the plan file ({_reason(err)}) — {REMAKE}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise PlanError(f"{path}:{err.lineno}:{err.colno}: not a plan file: not JSON "
                        f"({err.msg}) — {REMAKE}") from None


def _check_format_version(path: str | Path, data: Any) -> None:
    # Checked before the schema so that a plan from another version gets its own message.
    if not isinstance(data, dict) or "format" not in data:
        raise PlanError(f"{path}: not a camlink-provision plan file (no \"format\" field) "
                        f"— {REMAKE}")
    version = data["format"]
    if version != PLAN_FORMAT_VERSION:
        raise PlanError(f"{path}: a plan in format {json.dumps(version)[:20]}; this "
                        f"camlink-provision reads format {PLAN_FORMAT_VERSION} — {REMAKE} "
                        f"with this version")


def _check_schema(path: str | Path, data: Any) -> None:
    validator = jsonschema.Draft202012Validator(plan_schema())
    error = best_match(validator.iter_errors(data))
    if error is not None:
        raise PlanError(f"{path}: not a valid plan file: {_describe(error)} — {REMAKE}")


def _check_consistency(path: str | Path, data: dict[str, Any], plan: Plan) -> None:
    """What the schema cannot say: totals match the changes, changes sit under their camera."""
    if data["totals"] != plan.totals():
        raise PlanError(f"{path}: the totals {json.dumps(data['totals'], sort_keys=True)} do "
                        f"not match the changes listed; the file was edited — {REMAKE}")
    for cam in plan.cameras:
        owners = [c.camera for c in cam.changes] + [u.camera for u in cam.unmanaged]
        strays = [owner for owner in owners if owner != cam.camera]
        if strays:
            raise PlanError(f"{path}: an entry for camera {strays[0]!r} is listed under "
                            f"camera {cam.camera!r}; the file was edited — {REMAKE}")
    if plan.steps != order.steps_of(plan.cameras):
        # The steps are what runs; a reviewer reads the changes. Both must tell one story.
        raise PlanError(f"{path}: the steps do not match the changes listed (their phases, "
                        f"order or requests); the file was edited — {REMAKE}")


def _describe(error: ValidationError) -> str:
    message = error.message
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "…"
    return f"at {error.json_path}: {message}"


def _reason(err: Exception) -> str:
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8 text"
    strerror = getattr(err, "strerror", None)
    return strerror if isinstance(strerror, str) else type(err).__name__
