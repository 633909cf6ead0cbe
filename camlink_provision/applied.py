"""What the last successful apply left on each camera, so a plan can say why a thing differs.

A plan compares the inventory with the camera; on its own it cannot tell *who* moved: the
inventory (someone edited it since the last apply) or the camera (someone changed it by
hand since). After an apply, the journal gets one ``applied`` record: for every camera
that ended converged, a digest of each thing the inventory wanted on it then
(``kind/name -> digest``). The next plan compares those with what the inventory wants now:

    digest of the last apply    wanted now       origin of a change
    ---------------------------------------------------------------------------------
    (camera has no record)      (anything)       differs    no history to tell by
    same as now                 same             camera     changed on the camera since
    different, or absent        present          inventory  the inventory asks for it
    present                     absent / gone    inventory  (state: absent, removed)
    absent                      absent           camera     (appeared on the camera)

Digests, not values: the journal holds no value written to a camera (``journal``), and a
wanted thing's attributes never hold a password (those are ``Secret`` and kept apart), so a
digest of them says nothing a reader of the inventory does not already know.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from camlink_provision.inventory.model import Camera, Site
from camlink_provision.journal import STATE_DIR, Journal, read_named_records, site_folder
from camlink_provision.model import Change, Plan
from camlink_provision.resources import KINDS, Wanted

Origin = Literal["inventory", "camera", "differs"]
ORIGIN_WORDS: dict[str, str] = {
    "inventory": "the inventory asks for it",
    "camera": "changed on the camera since the last apply",
    "differs": "differs",
}
RECORD = "applied"
# How many of the newest journals are read for the cameras' records: an apply that left a
# camera out (``--limit``) keeps that camera's older record; beyond this, "differs".
JOURNALS_READ = 50

Digests = dict[str, str]  # kind/name -> digest of what the inventory wanted


def _digest(wanted: Wanted) -> str:
    body = {"present": wanted.present, "attrs": dict(wanted.attrs),
            "match": [str(key) for key in wanted.match_keys], "adopt": wanted.adopt}
    text = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def wanted_digests(site: Site, camera: Camera) -> Digests:
    """Every thing the inventory names on ``camera`` now, as ``kind/name -> digest``."""
    return {f"{kind.kind}/{wanted.name}": _digest(wanted)
            for kind in KINDS for wanted in kind.desired(site, camera)}


@dataclass(frozen=True)
class History:
    """Per camera, the digests of the last apply that left it converged."""

    cameras: Mapping[str, Digests] = field(default_factory=dict)

    def origin(self, site: Site, change: Change) -> Origin:
        """Why ``change`` is in the plan (the table of the module's docstring)."""
        then = self.cameras.get(change.camera)
        if then is None:
            return "differs"
        key = f"{change.kind}/{change.name}"
        now = wanted_digests(site, site.cameras[change.camera]).get(key)
        if now is None or then.get(key) is None:
            return "inventory" if now != then.get(key) else "camera"
        return "camera" if now == then[key] else "inventory"


def label(plan: Plan, site: Site, history: History) -> Plan:
    """The plan with each change's ``origin`` set from ``history``."""
    cameras = tuple(replace(cam, changes=tuple(replace(change,
                                                       origin=history.origin(site, change))
                                               for change in cam.changes))
                    for cam in plan.cameras)
    return replace(plan, cameras=cameras)


def record_applied(journal: Journal, site: Site, cameras: Iterable[str]) -> None:
    """The ``applied`` record: what the inventory wanted on each converged camera."""
    names = [name for name in cameras if name in site.cameras]
    if names:
        journal.write(RECORD, cameras={name: wanted_digests(site, site.cameras[name])
                                       for name in names})


def last_applied(site_name: str, root: Path = STATE_DIR) -> History:
    """Each camera's newest ``applied`` record among the site's newest journals."""
    folder = site_folder(site_name, root)
    if not folder.is_dir():
        return History()
    found: dict[str, Digests] = {}
    for path in sorted(folder.glob("*.jsonl"), reverse=True)[:JOURNALS_READ]:
        try:
            records = read_named_records(path, RECORD)
        except OSError:
            continue  # unreadable: that journal tells nothing
        for record in reversed(records):
            if not isinstance(record.get("cameras"), dict):
                continue
            for name, digests in record["cameras"].items():
                if isinstance(digests, dict):
                    found.setdefault(str(name), {str(k): str(v) for k, v in digests.items()})
    return History(found)
