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
    if working:
        current = working[0]
    else:
        free = [name for name in pair if name not in held]
        unused = [name for name in pair if name not in callers]
        current = (free or unused or list(pair))[0]
    declared = {a.name for a in ptz.accounts} | {ptz.credentials.username}
    retired = sorted(name for name in held
                     if name != current and name not in declared
                     and (name in pair or name in callers)) if may_retire else []
    return LinkAccount(current, tuple(retired))


def resolve(site: Site, observed: Mapping[str, Observed | CameraError]
            ) -> dict[str, LinkAccount]:
    """PTZ camera -> its link account decision, for every PTZ camera that was read."""
    out: dict[str, LinkAccount] = {}
    every_spotter_read = all(isinstance(observed.get(spotter.name), Observed)
                             for spotter in site.spotters())
    callers = all_callers_usernames(site, observed)
    for ptz in site.ptz_cameras():
        seen = observed.get(ptz.name)
        if not isinstance(seen, Observed):
            continue
        decided = choose(ptz, seen, callers.get(ptz.name, set()),
                         may_retire=every_spotter_read)
        if decided is not None:
            out[ptz.name] = decided
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
            retired_link_accounts=account.retired)
    return replace(site, cameras=cameras)


def moved(site: Site, decided: Mapping[str, LinkAccount]) -> set[str]:
    """The PTZ cameras whose decision is not simply the inventory's name, nothing retired:
    a rotation (or a name change) is under way there."""
    out = set()
    for name, account in decided.items():
        camera = site.cameras.get(name)
        link = camera.link_credentials if camera is not None else None
        if account.retired or (link is not None and account.username != link.username):
            out.add(name)
    return out
