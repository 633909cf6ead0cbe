"""Which name each PTZ camera's link account goes by in this run: the rotation decision.

A link account's password cannot be changed in place without breaking every link that uses
it: the spotters store the old one until each is told the new one, one camera at a time. So
a PTZ camera's link account has two names, the inventory's ``username`` and its alternate
(``resources.accounts.alternate``: ``camlink`` and ``camlink-alt``), and at any moment the
spotters call with one of them (AWS Secrets Manager's "alternating users" strategy):

    the name that logs in with the inventory's password     -> in use; nothing to rotate
    otherwise, a name the camera does not hold (the          -> created with the new
      inventory's first), or one no spotter calls with           password (phase 1)
    spotters storing another name                            -> switched to it (phase 2),
                                                                 each proven by its link test
    the other name, and old link names spotters called with  -> retired: deleted once no
                                                                 spotter uses them (phase 3)

Retiring is only decided when every spotter of the site was read: one outside ``--limit``
or unreachable may still call with the old name, which then stays until a run reads them
all. A changed ``username`` in the inventory is the same rotation: the new name is created, the
spotters switch, the old one is retired. ``resolve`` decides from what the cameras reported;
the decision is part of the plan (``Plan.link_accounts``), so a saved plan applies the same
one, and ``with_link_accounts`` gives the Site every later stage plans, writes and reads back
against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from camlink_provision.errors import CameraError
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.model import LinkAccount, Observed
from camlink_provision.resources import accounts, peers


def all_callers_usernames(site: Site, observed: Mapping[str, Observed | CameraError]
                          ) -> dict[str, set[str]]:
    """PTZ camera -> the account names the site's spotters store for their peer at it.

    One pass over the spotters for the whole site: asking it per PTZ camera read every
    spotter's peers once per PTZ (quadratic: seconds for 1,000 cameras)."""
    out: dict[str, set[str]] = {}
    for spotter in site.spotters():
        seen = observed.get(spotter.name)
        if not isinstance(seen, Observed):
            continue
        for have in peers.RESOURCE.observed(seen):
            ptz = peers.points_at(site, have)
            username = str(have.attrs.get(peers.USERNAME, ""))
            if ptz is not None and username:
                out.setdefault(ptz, set()).add(username)
    return out


BLOCKED = ("both of its link account's names ({names}) are held and refuse the inventory's "
           "password, and spotters may call with either: editing one in place could break "
           "their links. Finish the earlier rotation with a run that reads every spotter "
           "(no --limit, all reachable), or delete the stale name on the camera")


def choose(ptz: Camera, seen: Observed, callers: set[str], *,
           may_retire: bool = True) -> LinkAccount | None:
    """The decision for one PTZ camera (module docstring); None: nothing to decide.
    ``may_retire``: every spotter of the site was read, so no unseen one may still call
    with an old name (else nothing is retired: the old account stays, harmless, until a
    run that reads them all)."""
    pair = accounts.link_pair(ptz)
    if pair is None:
        return None
    held = accounts.held_accounts(seen.params)
    working = [name for name in pair if name in held and seen.logins.get(name) is True]
    free = [name for name in pair if name not in held]
    unused = [name for name in pair if name not in callers]
    if working:
        current = working[0]  # the name in use takes the password: nothing to rotate
    elif free:
        current = free[0]  # the new password goes in under a name nobody holds
    elif may_retire and unused:
        current = unused[0]  # held, but no spotter calls with it: edited in place, safely
    else:
        return LinkAccount(pair[0], all_callers_seen=may_retire,
                           blocked=BLOCKED.format(names=" / ".join(pair)))
    declared = {a.name for a in ptz.accounts} | {ptz.credentials.username}
    retired = sorted(name for name, (slot, _) in held.items()
                     if name != current and name not in declared
                     and slot != accounts.ROOT_SLOT
                     and (name in pair or name in callers)) if may_retire else []
    return LinkAccount(current, tuple(retired), all_callers_seen=may_retire)


def unread(ptz: Camera, callers: set[str]) -> LinkAccount | None:
    """A PTZ camera that was not read: its spotters keep the name they call it with (the
    planner cannot tell which of the two takes the password); callers split between the
    two names block it."""
    pair = accounts.link_pair(ptz)
    used = [name for name in pair or () if name in callers]
    if pair is None or not used:
        return None
    if len(used) > 1:
        return LinkAccount(pair[0], all_callers_seen=False,
                           blocked=BLOCKED.format(names=" / ".join(pair)))
    return LinkAccount(used[0], all_callers_seen=False)


def resolve(site: Site, observed: Mapping[str, Observed | CameraError]
            ) -> dict[str, LinkAccount]:
    """PTZ camera -> its link account decision: for every PTZ camera that was read, and for
    one that was not but whose read spotters call it (they keep the name they use)."""
    out: dict[str, LinkAccount] = {}
    every_spotter_read = all(isinstance(observed.get(spotter.name), Observed)
                             for spotter in site.spotters())
    callers = all_callers_usernames(site, observed)
    for ptz in site.ptz_cameras():
        seen = observed.get(ptz.name)
        calling = callers.get(ptz.name, set())
        decided = (choose(ptz, seen, calling, may_retire=every_spotter_read)
                   if isinstance(seen, Observed) else unread(ptz, calling))
        if decided is not None:
            out[ptz.name] = decided
    return out


def blocked_cameras(site: Site, decided: Mapping[str, LinkAccount]) -> dict[str, str]:
    """Camera -> why it is not planned: a blocked PTZ camera and every spotter calling it."""
    out: dict[str, str] = {}
    for ptz, account in decided.items():
        if not account.blocked:
            continue
        out[ptz] = account.blocked
        for link in site.links:
            if any(target.ptz == ptz for target in link.targets):
                out.setdefault(link.spotter, f"it calls {ptz}, whose {account.blocked}")
    return out


def with_link_accounts(site: Site, decided: Mapping[str, LinkAccount]) -> Site:
    """The Site with each decided PTZ camera's link account name and retired accounts."""
    if not decided:
        return site
    cameras = dict(site.cameras)
    for name, account in decided.items():
        camera = cameras.get(name)
        if camera is None or camera.link_credentials is None:
            continue
        cameras[name] = replace(
            camera, link_credentials=replace(camera.link_credentials,
                                             username=account.username),
            retired_link_accounts=account.retired,
            # an unseen spotter may call with any account it holds: none is pruned
            prune=camera.prune if account.all_callers_seen else camera.prune - {"account"})
    return replace(site, cameras=cameras)


def moved(site: Site, decided: Mapping[str, LinkAccount]) -> set[str]:
    """The PTZ cameras whose decision is not simply the inventory's name, nothing retired:
    a rotation (or a name change) is under way there."""
    out = set()
    for name, account in decided.items():
        camera = site.cameras.get(name)
        link = camera.link_credentials if camera is not None else None
        if account.retired or account.blocked or not account.all_callers_seen \
                or (link is not None and account.username != link.username):
            out.add(name)
    return out
