"""Playbooks: which cameras converge which resource kinds, in which order, in what batches.

A playbook is a YAML list of plays, run in order (Ansible's spirit)::

    - name: PTZ side first              # shown in progress and recap
      hosts: all                        # names, groups, globs as for --limit; 'all'
      kinds: [preset, tracking_rule]    # resource kinds this play converges (default: all)
      actions: [create, update]         # optional filter on the plan's actions
      serial: 2                         # batch size: a count, '25%', or a list ramping up
      max_fail_percentage: 0            # stop the rollout when a batch fails more than this
    - name: Prove the links
      hosts: spotters
      verify: true                      # a verify play instead of a converge play

The file is checked against ``schemas/playbook.schema.json``; every problem is reported as
``FILE:LINE:COL: what`` at once. A change of the plan is applied by the first play whose
hosts, kinds and actions cover it; a change no play covers is skipped and said so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from camlink_provision import datafiles
from camlink_provision.errors import InventoryError, InventoryErrors, Location, PlaybookError
from camlink_provision.inventory.model import RESOURCE_KINDS, ResourceKind, Site
from camlink_provision.model import Action, Change
from camlink_provision.selection import select

ACTIONS: tuple[Action, ...] = ("create", "update", "delete")
ALL_HOSTS = "all"
SCHEMA_FILE = "playbook.schema.json"
DEFAULT_PLAYBOOK = Path(datafiles.PLAYBOOKS) / datafiles.DEFAULT_PLAYBOOK

BUILTIN = Location("<builtin>")
Batch = int | str  # a count, or a percentage such as "25%"


@dataclass(frozen=True)
class Play:
    name: str
    hosts: str  # a --limit pattern; "all" = every camera
    kinds: tuple[ResourceKind, ...] = RESOURCE_KINDS
    actions: tuple[Action, ...] = ACTIONS
    serial: tuple[Batch, ...] = ()  # empty = one batch of every camera
    max_fail_percentage: float | None = None  # None = failures never stop the rollout
    verify: bool = False
    location: Location = BUILTIN

    def covers(self, change: Change) -> bool:
        """Whether this play converges the change (hosts are checked by the caller)."""
        return not self.verify and change.kind in self.kinds and change.action in self.actions

    def select_hosts(self, site: Site) -> list[str]:
        """The cameras this play names, in inventory order; [] when it names none."""
        if self.hosts == ALL_HOSTS:
            return list(site.cameras)
        try:
            return select(site, self.hosts)
        except InventoryError:  # as Ansible: a play matching no host is skipped, not fatal
            return []

    def batches(self, hosts: Sequence[str]) -> list[list[str]]:
        """Split the play's cameras into batches by ``serial`` (the last size repeats)."""
        if not self.serial:
            return [list(hosts)] if hosts else []
        out: list[list[str]] = []
        start, step = 0, 0
        while start < len(hosts):
            size = batch_size(self.serial[min(step, len(self.serial) - 1)], len(hosts))
            out.append(list(hosts[start:start + size]))
            start += size
            step += 1
        return out

    def exceeds_failures(self, failed: int, batch: int) -> bool:
        """Ansible's rule: stop when the batch's failed share is above the percentage."""
        if self.max_fail_percentage is None or batch == 0:
            return False
        return failed * 100.0 / batch > self.max_fail_percentage

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "hosts": self.hosts, "kinds": list(self.kinds),
                "actions": list(self.actions), "serial": list(self.serial),
                "max_fail_percentage": self.max_fail_percentage, "verify": self.verify,
                "location": str(self.location)}


def batch_size(batch: Batch, total: int) -> int:
    """A count, or a percentage of the play's cameras rounded down, never below one."""
    if isinstance(batch, int):
        return max(1, batch)
    return max(1, math.floor(total * float(batch.rstrip("%")) / 100.0))


@dataclass(frozen=True)
class Playbook:
    source: str
    plays: tuple[Play, ...]

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "plays": [p.to_json() for p in self.plays]}


# ---------------------------------------------------------------------------------------------
# Loading


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(datafiles.schema_text(SCHEMA_FILE))
    return schema


def default_playbook_path() -> Path | Traversable:
    """``playbooks/site.yml`` of the working directory, else the one shipped with the tool."""
    return DEFAULT_PLAYBOOK if DEFAULT_PLAYBOOK.is_file() else datafiles.bundled_playbook()


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Read, validate and type a playbook file; raise every problem at once."""
    file = Path(path) if path is not None else default_playbook_path()
    source = str(file) if isinstance(file, Path) else f"<builtin>/{file.name}"
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError(f"cannot read playbook: {exc.strerror}", Location(source),
                            hint="--playbook names a YAML file of plays") from exc
    return parse_playbook(text, source)


def parse_playbook(text: str, source: str) -> Playbook:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise PlaybookError(f"not valid YAML: {getattr(exc, 'problem', exc)}", where) from exc
    problems = [_schema_problem(err, node, source) for err in _validator().iter_errors(data)]
    if problems:
        raise InventoryErrors(_dedupe(problems))
    plays = tuple(_play(item, _locate(node, [index], source), index)
                  for index, item in enumerate(data))
    return Playbook(source=source, plays=plays)


def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(_schema())
    validator: jsonschema.protocols.Validator = cls(_schema())
    return validator


def _dedupe(problems: list[InventoryError]) -> list[InventoryError]:
    seen: dict[str, InventoryError] = {}
    for problem in problems:
        seen.setdefault(problem.render(), problem)
    return list(seen.values())


def _schema_problem(err: jsonschema.ValidationError, node: yaml.Node | None,
                    source: str) -> InventoryError:
    path = list(err.absolute_path)
    where = _locate(node, path, source)
    hints = {
        "oneOf": "hosts: a pattern or a list; serial: a count, 'N%' or a list of those",
        "additionalProperties": "a play has name, hosts, kinds, actions, serial, "
                                "max_fail_percentage, verify",
        "not": "a verify play converges nothing: drop kinds and actions",
        "type": "a playbook is a YAML list of plays",
    }
    message = err.message
    if err.validator == "not":
        message = "a verify play cannot name kinds or actions"
    elif err.validator == "oneOf":
        message = f"{err.instance!r} is not a valid value"
    return PlaybookError(f"{_field_name(path)}: {message}", where,
                         hint=hints.get(str(err.validator), ""))


def _field_name(path: Sequence[object]) -> str:
    if not path:
        return "playbook"
    head, rest = path[0], path[1:]
    name = f"play {head + 1}" if isinstance(head, int) else str(head)
    for step in rest:
        name += f"[{step}]" if isinstance(step, int) else f".{step}"
    return name


def _locate(node: yaml.Node | None, path: Sequence[object], source: str) -> Location:
    """The file position of the YAML node at a JSON path (the closest existing parent)."""
    current = node
    for step in path:
        child = _child(current, step)
        if child is None:
            break
        current = child
    if current is None:
        return Location(source, 1, 1)
    mark = current.start_mark
    json_path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return Location(source, mark.line + 1, mark.column + 1, json_path)


def _child(node: yaml.Node | None, step: object) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
            and step < len(node.value):
        child: yaml.Node = node.value[step]
        return child
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == step:
                found: yaml.Node = value
                return found
    return None


def _play(item: dict[str, Any], location: Location, index: int) -> Play:
    hosts = item["hosts"]
    pattern = ",".join(hosts) if isinstance(hosts, list) else str(hosts)
    serial = item.get("serial", ())
    verify = bool(item.get("verify", False))
    return Play(
        name=str(item.get("name") or f"play {index + 1}"),
        hosts=pattern,
        kinds=tuple(item.get("kinds", RESOURCE_KINDS)),
        actions=tuple(item.get("actions", ACTIONS)),
        serial=tuple(serial) if isinstance(serial, list) else ((serial,) if serial else ()),
        max_fail_percentage=(float(item["max_fail_percentage"])
                             if "max_fail_percentage" in item else None),
        verify=verify,
        location=location,
    )


def single_play(hosts: str = ALL_HOSTS) -> Playbook:
    """Everything in one play (tests, and callers of apply_plan without a playbook)."""
    return Playbook(source="<builtin>", plays=(Play(name="converge", hosts=hosts),))
