"""Whether a saved plan may still be applied: same site, same cameras, nothing moved since.

A plan file is what a reviewer approved. It is applied only if, read again now, every
camera still reports the state the plan was computed from (its fingerprint) *and* the
inventory still asks for exactly those changes; otherwise the plan is stale and refused,
naming the cameras, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from camlink_provision import link_accounts
from camlink_provision import plan as planner
from camlink_provision.errors import CameraError, PlanError
from camlink_provision.inventory.model import Site
from camlink_provision.model import CameraPlan, Observed, Plan

REMAKE = "make a new one with `camlink-provision plan --out FILE` and review it again"


def check_plan_matches_site(site: Site, plan: Plan, source: str) -> None:
    """The plan names this site and only cameras the inventory has."""
    if plan.site != site.name:
        raise PlanError(f"{source}: the plan is for site {plan.site!r}, the inventory is "
                        f"site {site.name!r}")
    unknown = [cam.camera for cam in plan.cameras if cam.camera not in site.cameras]
    if unknown:
        raise PlanError(f"{source}: the plan names cameras the inventory does not have: "
                        f"{', '.join(unknown)} — {REMAKE}")


def stale_cameras(site: Site, plan: Plan,
                  observed: Mapping[str, Observed | CameraError]) -> dict[str, str]:
    """Camera -> why its part of the plan no longer holds (unreachable ones are not stale)."""
    stale: dict[str, str] = {}
    decided = link_accounts.resolve(site, observed)
    stale.update({name: "its link account is not where the plan found it"
                  for name in {*decided, *plan.link_accounts}
                  if isinstance(observed.get(name), Observed)
                  and decided.get(name) != plan.link_accounts.get(name)})
    site = link_accounts.with_link_accounts(site, plan.link_accounts)
    late = planner.late_cameras(plan)
    for cam in plan.cameras:
        found = observed.get(cam.camera)
        if not cam.fingerprint or not isinstance(found, Observed):
            continue  # not planned, or unreachable now: the apply reports it as such
        if found.fingerprint() != cam.fingerprint:
            stale[cam.camera] = "its settings changed since the plan was made"
            continue
        now = planner.plan_camera(site, site.cameras[cam.camera], found,
                                  late_deletions=cam.camera in late)
        if _changes(now) != _changes(cam):
            stale[cam.camera] = "the inventory now asks for different changes"
    return stale


def _changes(cam: CameraPlan) -> list[object]:
    """What the changes do; their ``origin`` (who moved since the last apply) is not that."""
    return [replace(change, origin="").to_json() for change in cam.changes]


def check_not_stale(site: Site, plan: Plan, source: str, *, concurrency: int,
                    client_factory: planner.ClientFactory = planner.default_client
                    ) -> dict[str, Observed | CameraError]:
    """Read the plan's cameras again; refuse the plan if any of them moved on. What they
    reported: with nobody reviewing between this check and the apply, each camera's first
    snapshot (it has the plan's fingerprint), so no camera is read twice."""
    check_plan_matches_site(site, plan, source)
    names = [cam.camera for cam in plan.cameras if cam.fingerprint]
    observed = planner.gather(site, names, concurrency=concurrency,
                              client_factory=client_factory)
    stale = stale_cameras(site, plan, observed)
    if stale:
        details = "; ".join(f"{name}: {why}" for name, why in stale.items())
        raise PlanError(f"{source}: the plan is stale, nothing was applied — {details} — "
                        f"{REMAKE}")
    return observed
