"""Planning: gather what the cameras report, compare it with the Site, order the changes.

    gather(site, names)              -> {camera: Observed | CameraError}   (the only I/O)
    plan_camera(site, camera, obs)   -> CameraPlan                          (pure)
    compute_plan(site, observed)     -> Plan                                (pure)
    make_plan(site, names)           =  compute_plan(site, gather(site, names), names)
                                        (each camera planned in its worker once read)

Gathering costs per camera: one getparam naming every group any resource kind needs plus
the identity groups, one VCA read on PTZ cameras, one link test per peer whose readable
attributes already match (its password is the only thing left to check), and one login per
account whose password the inventory gives and the camera holds (``accounts``).

Link accounts are decided across cameras (``link_accounts``: which of its two names a PTZ
camera's link account goes by, and whether a rotation retires the other): cameras the
decision touches are planned again with it, and the Plan carries it for apply. Cameras are read
concurrently, one request in flight per camera (embedded web servers are weak).

``plan_camera`` is also what ``apply`` runs on a camera's read-back after writing: a
converged camera plans no change. Cameras are listed PTZ first, then spotters, each in
inventory order. The order of the run — phases, steps, and the requests of each step — is
decided once, by ``order`` (see there), and is part of the Plan: apply sends exactly that.
A camera whose deletions must wait for the spotters (``order.held_cameras``) is planned
again with ``late_deletions``, so no new item is given a slot that is not free yet.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from camlink_provision import applied, link_accounts, order
from camlink_provision.applied import History
from camlink_provision.camera import CameraClient
from camlink_provision.camera.auth import NonceBook
from camlink_provision.camera.record import CaptureRecorder, RecordingClient
from camlink_provision.camera.wire import shared_names
from camlink_provision.errors import CameraCommandError, CameraError
from camlink_provision.firmware import models, profile
from camlink_provision.firmware.choice import naming_for
from camlink_provision.firmware.version import parse_firmware
from camlink_provision.inventory.model import Camera, ResourceKind, Site
from camlink_provision.model import JSON, CameraPlan, Observed, Part, Plan
from camlink_provision.resources import (
    KINDS,
    Context,
    KindResult,
    Noop,
    accounts,
    events,
    peers,
    presets,
    tracking,
)
from camlink_provision.runner import DEFAULT_CONCURRENCY, one_cpu_for, run_each

ClientFactory = Callable[[Camera], CameraClient]

# A spotter's link test waits for its peer's own timeouts (the spotter dials the PTZ and
# waits for its answer before it answers us): its client waits longer than for a read.
LINK_TEST_TIMEOUT = 15.0
# A camera that answers 5xx is up but busy: its read is asked again after these pauses (a
# read changes nothing). One that does not answer at all is not: it has waited out its
# timeouts and the transport's repeats already.
BUSY_PAUSES = (0.2, 0.5, 1.0)


def default_client(camera: Camera, recorder: CaptureRecorder | None = None) -> CameraClient:
    """A client speaking the camera's firmware profile; ``recorder``: plan --record."""
    naming = naming_for(camera.firmware_profile)
    if recorder is not None:
        return RecordingClient(camera.name, camera.connection, camera.credentials,
                               naming=naming, recorder=recorder)
    return CameraClient(camera.name, camera.connection, camera.credentials, naming=naming)


def run_clients() -> ClientFactory:
    """A factory for one run (plan, then apply): its clients share each camera's Digest
    nonce (``NonceBook``), so a camera the plan read answers apply's first request without
    a challenge: one request less per camera and stage."""
    book = NonceBook()
    return lambda camera: CameraClient(camera.name, camera.connection, camera.credentials,
                                       naming=naming_for(camera.firmware_profile),
                                       nonces=book)


def with_timeout(camera: Camera, timeout: float | None = None) -> Camera:
    """The camera with the per-request timeout of a run, the one policy of plan and verify:
    ``timeout`` when the caller gives one (kept exactly: the caller asked for it), else the
    inventory's, raised to ``LINK_TEST_TIMEOUT`` on a spotter (both run its link tests)."""
    wanted = timeout if timeout is not None else camera.connection.timeout
    if timeout is None and camera.role == "spotter":
        wanted = max(wanted, LINK_TEST_TIMEOUT)
    if wanted == camera.connection.timeout:
        return camera
    return replace(camera, connection=replace(camera.connection, timeout=wanted))


# -- gathering ---------------------------------------------------------------------------------
def getparam_names(camera: Camera) -> list[str]:
    """Every group one getparam must name: identity, each kind's groups, the DO status.

    Whole groups come before single parameters (the accounts' names and privileges): a
    request's description (``-v``, errors) shows its first few names, the telling ones."""
    names = list(profile.IDENTITY_GROUPS)
    for kind in KINDS:
        names.extend(g for g in kind.groups(camera) if g not in names)
    names.sort(key=_is_slot_name)  # stable
    info = models.lookup(camera.model)
    if info is None or info.ndo:
        names.append(profile.DO_STATUS)
    return names


@functools.lru_cache(maxsize=1024)
def _is_slot_name(name: str) -> bool:
    """Whether ``name`` is one slot's parameter, not a group: asked of the same few dozen
    names for every read of every camera (most of the 40 us each read spent naming what to
    read, issue 15)."""
    return profile.split_slot(name) is not None


def _kept(reply: dict[str, str]) -> dict[str, str]:
    """What a run keeps of a getparam reply: no password, no free preset slot's position,
    names shared with every other camera's read."""
    return shared_names(presets.without_free_positions(profile.without_secrets(reply)))


def _read_params(client: CameraClient, camera: Camera) -> dict[str, str]:
    try:
        return _kept(client.getparam(getparam_names(camera)))
    except CameraCommandError:
        # Refused: a name the camera does not have, which usually means it is not the model
        # the inventory says. Read the identity alone so the plan can say exactly that.
        identity = client.getparam(list(profile.IDENTITY_GROUPS))
        if check_identity(camera, Observed(camera.name, identity)):
            return identity
        raise


def gather_camera(site: Site, camera: Camera, client: CameraClient, *,
                  test_links: bool = True, check_logins: bool | None = None) -> Observed:
    """Read one camera in as few requests as the firmware allows; raises CameraError.

    ``test_links=False`` leaves out the peers' link tests, ``check_logins=False`` (by default
    as ``test_links``) the logins as the accounts the inventory gives: both feed only the
    plan, never the fingerprint, so apply's snapshot and restore reads go without them, and
    a read-back makes only those its step needs (each is a request).
    """
    check_logins = test_links if check_logins is None else check_logins
    params = _read_params(client, camera)
    observed = Observed(camera.name, params)
    if check_identity(camera, observed):
        return observed  # wrong camera: read nothing more from it
    if tracking.wants_rules(camera):
        observed = replace(observed, rules=client.tracking_rules())
    if not (test_links or check_logins):
        return observed
    slots = peers.RESOURCE.slots_to_test(site, camera, observed) if test_links else []
    tests = {slot: client.link_test(slot) for slot in slots}
    logins: dict[str, bool] = {}
    if check_logins:
        logins = {creds.username: client.login_accepted(creds)
                  for creds in accounts.login_checks(camera, observed)}
        if camera.credentials.previous_password is not None:  # an admin password rotation
            logins[camera.credentials.username] = not client.on_previous_password
    return replace(observed, link_tests=tests, logins=logins)


def reread(camera: Camera, client: CameraClient, known: Observed,
           kinds: Iterable[str]) -> Observed:
    """``known``, this run's earlier read of ``camera``, with what changes of ``kinds`` are
    planned from read again: the identity groups (still the same camera), the groups of
    those kinds and of the kinds tied to them on the camera (``_with_tied``), in one
    getparam; the tracking rules only when they are among them. The rest stays as
    ``known`` saw it, and the result says which part is fresh (``Observed.part``).

    A camera's first step after a person reviewed the plan takes this as its snapshot,
    given the kinds of every change planned on the camera and of what other cameras'
    changes name on it (``rollout``): what the run writes there, and what its writes
    elsewhere depend on there, is as fresh as a whole read would make it, for fewer
    requests and bytes (issue 15: "re-read only what the plan touches"). No link tests or
    logins: a snapshot compares settings."""
    wanted = _with_tied(set(kinds))
    groups = [group for kind in KINDS if kind.kind in wanted for group in kind.groups(camera)]
    part = Part((*profile.IDENTITY_GROUPS, *groups),
                "tracking_rule" in wanted and tracking.wants_rules(camera))
    fresh = _kept(client.getparam(list(part.names)))
    params = {name: value for name, value in known.params.items()
              if not part.covers(name)} | fresh
    rules = client.tracking_rules() if part.rules else known.rules
    return Observed(camera.name, params, rules, part=part)


def _with_tied(kinds: set[str]) -> set[str]:
    """``kinds`` and every kind tied to them on the same camera (``tied_to``), either way
    and however indirectly: an event names peer slots and a local preset, so a change to
    any of the three depends on the other two."""
    found = set(kinds)
    while True:
        grown = set(found)
        for kind in KINDS:
            tied = {kind.kind, *kind.tied_to}
            if found & tied:
                grown |= tied
        if grown == found:
            return found
        found = grown


def _gather_one(site: Site, camera: Camera, client_factory: ClientFactory,
                timeout: float | None) -> Observed | CameraError:
    camera = with_timeout(camera, timeout)
    try:
        client = client_factory(camera)
    except CameraError as exc:
        return exc
    try:
        for pause in (*BUSY_PAUSES, None):
            try:
                return gather_camera(site, camera, client)
            except CameraError as exc:
                if not exc.answered or pause is None:
                    return exc
            time.sleep(pause)
        raise AssertionError("unreachable")
    finally:
        client.close()


def gather(site: Site, names: Sequence[str], *, concurrency: int = DEFAULT_CONCURRENCY,
           client_factory: ClientFactory = default_client,
           timeout: float | None = None) -> dict[str, Observed | CameraError]:
    """What each named camera reports, or the CameraError that stopped reading it.

    ``timeout`` (seconds) replaces each camera's per-request timeout when given.
    """
    return _each_camera(site, names, lambda cam: _gather_one(site, cam, client_factory,
                                                             timeout),
                        concurrency=concurrency, name="gather")


_Result = TypeVar("_Result")


def _each_camera(site: Site, names: Sequence[str], work: Callable[[Camera], _Result], *,
                 concurrency: int, name: str) -> dict[str, _Result]:
    """``work`` on each named camera, in ``read_order``, its threads on one CPU where the
    cameras allow it (``runner.one_cpu_for``); the results in the order of ``names``."""
    cameras = [site.cameras[camera] for camera in read_order(site, names)]
    with one_cpu_for(camera.connection.scheme for camera in cameras):
        results = run_each(cameras, work, concurrency=concurrency, name=name)
    done = {camera.name: result for camera, result in zip(cameras, results, strict=True)}
    return {camera: done[camera] for camera in names}


def read_order(site: Site, names: Sequence[str]) -> list[str]:
    """``names`` in the order they are read: the spotters spread evenly among the others,
    each role in its own order.

    A spotter's read waits on its link tests (the spotter calls each of its PTZ cameras),
    which cost this host nothing; an inventory lists its spotters together, and a wave of
    them alone left the host idle (issue 15: a converged 1,000-camera plan, its 250 spotters
    read first, had the tool at 10-20% of a CPU for 0.3 s; spread, 6 interleaved runs,
    2.91-3.57 s -> 2.73-2.96 s). Which camera is read when changes nothing else: one
    request in flight per camera, each camera's plan is made from its own read, and the
    results keep the caller's order."""
    spotters = [name for name in names if site.cameras[name].role == "spotter"]
    others = [name for name in names if site.cameras[name].role != "spotter"]
    if not spotters or not others:
        return list(names)
    placed = [(k / len(spotters), name) for k, name in enumerate(spotters)]
    placed += [(k / len(others), name) for k, name in enumerate(others)]
    return [name for _, name in sorted(placed, key=lambda item: item[0])]


# -- identity ----------------------------------------------------------------------------------
def _same_model(wanted: str, reported: str) -> bool:
    info = models.lookup(wanted)
    canonical = info.name if info else wanted
    return reported.strip().lower() in {canonical.lower(), wanted.lower()}


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def check_identity(camera: Camera, observed: Observed) -> str | None:
    """Why this camera is not the one the inventory describes, or None when it is."""
    params = observed.params
    reported = params.get(profile.MODELNAME, "")
    if not _same_model(camera.model, reported):
        return f"the camera reports model '{reported}', the inventory says '{camera.model}'"
    text = params.get(profile.FIRMWARE, "")
    firmware = parse_firmware(text)
    if firmware is None:
        return f"the camera reports firmware '{text}', which is not a VIVOTEK version"
    if firmware.major < models.MIN_CAMERA_LINK_MAJOR:
        return (f"firmware {firmware.version} is older than Camera Link needs "
                f"(major {models.MIN_CAMERA_LINK_MAJOR} or later)")
    if camera.firmware and _version_tuple(firmware.version) < _version_tuple(camera.firmware):
        return (f"firmware {firmware.version} is older than the inventory's minimum "
                f"{camera.firmware}")
    if params.get(profile.CAP_CAMERALINK) != "1":
        return "the camera does not offer Camera Link (capability_cameralink is not 1)"
    return None


# -- one camera --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CameraDetail:
    """A camera's plan with what the plan file leaves out: why each named thing is a no-op."""

    plan: CameraPlan
    noops: tuple[Noop, ...] = ()


def plan_resources(site: Site, camera: Camera, observed: Observed, *,
                   late_deletions: bool = False) -> list[KindResult]:
    """Every kind's compare, in kind order; each sees the slots of the kinds before it."""
    results: list[KindResult] = []
    slots: dict[ResourceKind, Mapping[str, int]] = {}
    for kind in KINDS:
        if not kind.applies(camera, observed):
            continue
        ctx = Context(site, camera, observed, dict(slots), late_deletions)
        result = kind.compare(ctx, kind.desired(site, camera), kind.observed(observed))
        slots[kind.kind] = result.slots
        results.append(result)
    return results


def _reported(camera: Camera, observed: Observed, fingerprint: bool) -> CameraPlan:
    firmware = parse_firmware(observed.params.get(profile.FIRMWARE, ""))
    return CameraPlan(camera=camera.name, role=camera.role,
                      model=observed.params.get(profile.MODELNAME, ""),
                      firmware=firmware.version if firmware else "",
                      fingerprint=observed.fingerprint() if fingerprint else "")


def plan_camera_detail(site: Site, camera: Camera, observed: Observed | CameraError, *,
                       late_deletions: bool = False, fingerprint: bool = True
                       ) -> CameraDetail:
    """The plan of one camera and its no-ops; ``late_deletions``: its deletions wait for the
    spotters (phase ``order.TIDY``), so the slots they free are not reused in this run;
    ``fingerprint=False``: the plan's fingerprint left empty (see ``make_plan``)."""
    if isinstance(observed, CameraError):
        return CameraDetail(CameraPlan(camera=camera.name, role=camera.role,
                                       error=str(observed), error_kind=observed.kind))
    base = _reported(camera, observed, fingerprint)
    problem = check_identity(camera, observed)
    if problem:
        return CameraDetail(replace(base, error=problem, error_kind="mismatch"))
    results = plan_resources(site, camera, observed, late_deletions=late_deletions)
    noops = tuple(noop for r in results for noop in r.noops)
    warnings = tuple(w for r in results for w in r.warnings)
    unmanaged = tuple(u for r in results for u in r.unmanaged)
    errors = [e for r in results for e in r.errors]
    if errors:
        # A camera that cannot hold what is wanted gets no partial plan: apply skips it.
        return CameraDetail(replace(base, error="; ".join(errors), error_kind="mismatch",
                                    unmanaged=unmanaged, warnings=warnings), noops)
    changes = order.order_changes((c for r in results for c in r.changes), late=late_deletions)
    return CameraDetail(replace(base, changes=changes, unmanaged=unmanaged,
                                warnings=warnings), noops)


def plan_camera(site: Site, camera: Camera, observed: Observed | CameraError, *,
                late_deletions: bool = False, fingerprint: bool = True) -> CameraPlan:
    """The plan of one camera; pure. Errors (unreachable, mismatch, ...) go into the plan."""
    return plan_camera_detail(site, camera, observed, late_deletions=late_deletions,
                              fingerprint=fingerprint).plan


def late_cameras(plan: Plan) -> set[str]:
    """The cameras of a plan whose deletions run late (what ``compute_plan`` decided)."""
    return {cam.camera for cam in plan.cameras
            if any(c.phase == order.TIDY for c in cam.changes)}


# -- the site ----------------------------------------------------------------------------------
def apply_order(site: Site, names: Iterable[str]) -> list[Camera]:
    """PTZ cameras first, then spotters, each in inventory order."""
    chosen = set(names)
    cameras = [c for c in site.cameras.values() if c.name in chosen]
    return [c for c in cameras if c.role == "ptz"] + [c for c in cameras if c.role != "ptz"]


def _edge_changes(cameras: Sequence[CameraPlan]) -> dict[tuple[str, str, str], str]:
    """(spotter, event, PTZ) -> added | changed | removed, from what the plan's event
    changes say of each link action ("link -> PTZ", before and after), and the peers it
    changes (a PTZ called at a new address or with new credentials)."""
    edges: dict[tuple[str, str, str], str] = {}
    peers = {(c.camera, c.name) for cam in cameras for c in cam.changes if c.kind == "peer"}
    for cam in cameras:
        for change in cam.changes:
            if change.kind != "event":
                continue
            for attr in change.attributes:
                if not attr.name.startswith(events.LINK):
                    continue
                ptz = attr.name[len(events.LINK):]
                was, now = _linked(attr.before), _linked(attr.after)
                status = ("added" if now and not was else "removed" if was and not now
                          else "changed" if was and now else "")
                if status:
                    edges[(change.camera, change.name, ptz)] = status
    for spotter, ptz in peers:  # every link of that spotter to that PTZ ("" = any event)
        edges.setdefault((spotter, "", ptz), "changed")
    return edges


def _linked(value: JSON) -> bool:
    return value not in (None, "", events.OFF_TEXT)


def link_topology(site: Site, names: Iterable[str],
                  cameras: Sequence[CameraPlan]) -> tuple[dict[str, JSON], ...]:
    """One entry per link target touching a selected camera, for the graph: each present
    one, ``status`` unchanged, added or changed as the plan's changes say; and each one the
    plan takes away (its event's action to that PTZ goes), ``status`` removed."""
    chosen = set(names)
    edges = _edge_changes(cameras)
    out: list[dict[str, JSON]] = []
    drawn: set[tuple[str, str, str]] = set()
    for link in site.links:
        if link.state != "present":
            continue
        for target in link.targets:
            if link.spotter not in chosen and target.ptz not in chosen:
                continue
            key = (link.spotter, link.event, target.ptz)
            status = edges.get(key) or edges.get((link.spotter, "", target.ptz), "unchanged")
            drawn.add(key)
            out.append(_edge(link.name, key, target.preset, target.track_rule,
                             target.do_duration, "changed" if status == "removed" else status))
    names_of = {(link.spotter, link.event): link.name for link in site.links}
    for key, status in edges.items():
        if status == "removed" and key not in drawn and key[1]:
            out.append(_edge(names_of.get(key[:2], ""), key, None, None, None, "removed"))
    areas = link_areas(site, [(str(e["spotter"]), str(e["ptz"])) for e in out])
    return tuple({**entry, "area": areas[str(entry["spotter"])]} for entry in out)


def link_areas(site: Site, pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Spotter -> the area its links are drawn in: the smallest inventory group holding it
    and a PTZ it calls (``yard``), else the smallest holding it (``gate_spotters``), else
    its own name. A graph of hundreds of links stays readable as one box per area."""
    calls: dict[str, set[str]] = {}
    for spotter, ptz in pairs:
        calls.setdefault(spotter, set()).add(ptz)
    areas = {}
    for spotter, ptzs in calls.items():
        camera = site.cameras.get(spotter)
        held = [g for g in (camera.groups if camera else ()) if g != "all"]
        shared = [g for g in held if ptzs & set(site.groups.get(g, ()))]
        areas[spotter] = min(shared or held, key=lambda g: (len(site.groups.get(g, ())), g),
                             default=spotter)
    return areas


def _edge(name: str, key: tuple[str, str, str], preset: str | None, rule: str | None,
          do: int | None, status: str) -> dict[str, JSON]:
    spotter, event, ptz = key
    return {"link": name, "spotter": spotter, "event": event, "ptz": ptz, "preset": preset,
            "track_rule": rule, "do": do, "changed": status != "unchanged",
            "status": status}


def _assemble(site: Site, selected: Sequence[str],
              observed: Mapping[str, Observed | CameraError],
              plans: Mapping[str, CameraPlan], history: History | None,
              fingerprints: bool = True) -> Plan:
    """The site's plan: cameras in apply order, deletions held where the spotters let go of
    them (planned again so their slots are not reused), and the steps of the run; with
    ``history``, each change says who moved since the last apply (``applied``)."""
    decided = link_accounts.resolve(site, observed)
    moved = link_accounts.moved(site, decided)
    site = link_accounts.with_link_accounts(site, decided)
    plans = {name: plan_camera(site, site.cameras[name], observed[name],
                               fingerprint=fingerprints)
             if _concerned(site, name, moved) else plan for name, plan in plans.items()}
    for name, why in link_accounts.blocked_cameras(site, decided).items():
        if name in plans:
            plans[name] = replace(plans[name], changes=(), error=why, error_kind="mismatch")
    cameras = [plans[camera.name] for camera in apply_order(site, selected)]
    held = order.held_cameras(cameras)
    cameras = [plan_camera(site, site.cameras[cam.camera], observed[cam.camera],
                           late_deletions=True, fingerprint=fingerprints)
               if cam.camera in held and any(c.action == "delete" for c in cam.changes)
               else cam for cam in cameras]
    plan = Plan(site=site.name, cameras=tuple(cameras),
                links=link_topology(site, selected, cameras), steps=order.steps_of(cameras),
                link_accounts=decided)
    return plan if history is None else applied.label(plan, site, history)


def _concerned(site: Site, name: str, moved: set[str]) -> bool:
    """Whether the link account decision changes a camera's plan: a PTZ camera whose link
    account is not simply the inventory's, or a spotter that calls one."""
    return name in moved or any(target.ptz in moved for link in site.links_of(name)
                                for target in link.targets)


def compute_plan(site: Site, observed: Mapping[str, Observed | CameraError],
                 names: Sequence[str] | None = None, *,
                 history: History | None = None) -> Plan:
    """The Plan of the selected cameras (all when None) from what they reported; pure."""
    selected = list(site.cameras) if names is None else list(names)
    missing = [name for name in selected if name not in observed]
    if missing:
        raise ValueError(f"no observation for {', '.join(missing)}")
    plans = {name: plan_camera(site, site.cameras[name], observed[name]) for name in selected}
    return _assemble(site, selected, observed, plans, history)


def make_plan(site: Site, names: Sequence[str] | None = None, *,
              concurrency: int = DEFAULT_CONCURRENCY,
              client_factory: ClientFactory = default_client,
              timeout: float | None = None, history: History | None = None,
              fingerprints: bool = True) -> Plan:
    """``compute_plan(site, gather(site, names), names)``, with each camera planned in its
    worker as soon as it is read (the same result; planning overlaps other cameras' reads).

    ``fingerprints=False``: each camera's fingerprint is left empty, for a plan that is only
    shown, never saved nor applied (a digest of the whole read, 0.27 ms of CPU a camera:
    issue 15, "fingerprint only what the plan depends on"). Applied, such a plan would
    refuse every camera as changed since the plan; nothing would be written."""
    return plan_and_observe(site, names, concurrency=concurrency,
                            client_factory=client_factory, timeout=timeout,
                            history=history, fingerprints=fingerprints)[0]


def plan_and_observe(site: Site, names: Sequence[str] | None = None, *,
                     concurrency: int = DEFAULT_CONCURRENCY,
                     client_factory: ClientFactory = default_client,
                     timeout: float | None = None, history: History | None = None,
                     fingerprints: bool = True
                     ) -> tuple[Plan, dict[str, Observed | CameraError]]:
    """``make_plan``, and what each camera reported: an apply that follows at once, with
    nobody reviewing in between, takes its first snapshots from these reads."""
    selected = list(site.cameras) if names is None else list(names)

    def read_and_plan(camera: Camera) -> tuple[Observed | CameraError, CameraPlan]:
        observed = _gather_one(site, camera, client_factory, timeout)
        return observed, plan_camera(site, camera, observed, fingerprint=fingerprints)

    results = _each_camera(site, selected, read_and_plan, concurrency=concurrency,
                           name="plan")
    observed = {name: seen for name, (seen, _) in results.items()}
    plan = _assemble(site, selected, observed, {name: plan for name, (_, plan) in
                                                results.items()}, history, fingerprints)
    return plan, observed
