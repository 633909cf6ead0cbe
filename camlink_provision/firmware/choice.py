"""Which firmware profile each camera of a run is spoken to with, decided in one place.

The built-in profile unless an override file says otherwise: ``--profile FILE`` on the
command line wins over ``site: firmware_profile: FILE`` in the inventory; within the file,
``firmware:`` (by the inventory's firmware version) wins over ``models:``, which wins over
its common part. The choice is made once, when a session opens,
and stored on each ``Camera`` (``firmware_profile``), so every client built for it
(``plan.default_client``) and every emulated camera built from it speaks the same names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming
from camlink_provision.firmware.override import ProfileSet, builtin_set, load_override
from camlink_provision.firmware.profile_data import FirmwareProfile
from camlink_provision.inventory.model import Site


def use_profiles(site: Site, profiles: ProfileSet) -> Site:
    """The site with each camera given its profile (None where it is the built-in one)."""
    if profiles.override is None:
        return replace(site, profiles=profiles)
    cameras = {name: replace(camera, firmware_profile=profiles.for_camera(
                   camera.model, camera.firmware or "")) for name, camera in site.cameras.items()}
    return replace(site, cameras=cameras, profiles=profiles)


def choose_profile(site: Site, given: str | Path | None,
                   note: Callable[[str], None]) -> Site:
    """The run's choice: ``given`` (``--profile FILE``) over the inventory's ``site:
    firmware_profile:``, checked before any camera is contacted; ``note`` receives the line
    saying which profile the run speaks (every camera command prints it)."""
    if given:
        site = use_profiles(site, load_override(given))
    note(profiles_of(site).describe())
    return site


def profiles_of(site: Site) -> ProfileSet:
    return site.profiles or builtin_set()


@cache
def naming_for(profile: FirmwareProfile | None) -> Naming:
    """The translator for a camera's profile (one per profile: they are built once)."""
    return Naming(profile or fw.DEFAULT)
