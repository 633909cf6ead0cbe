"""Reading what a camera holds, knowing only how to reach it (no model, no role).

Three requests at most: the identity and capability groups first (they say which groups
exist on this camera: a fixed camera has no preset group, and naming it would be refused),
then every resource group the camera has in one getparam, then its tracking rules when it
is a PTZ camera. The result is the planner's ``Observed``: parsing stays in resources/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Camera
from camlink_provision.model import Observed
from camlink_provision.plan import ClientFactory
from camlink_provision.resources import accounts, facts
from camlink_provision.runner import run_each


@dataclass(frozen=True)
class Reading:
    """One camera as it reported itself: identity, capabilities and every resource group."""

    camera: str
    observed: Observed

    @property
    def params(self) -> Mapping[str, str]:
        return self.observed.params

    @property
    def model(self) -> str:
        return self.params.get(profile.MODELNAME, "")

    @property
    def ptz(self) -> bool:
        return is_ptz(self.params)


def is_ptz(params: Mapping[str, str]) -> bool:
    """A camera that can move: presets or PTZ capability bits (fixed cameras report 0)."""
    presets = facts.count(params, profile.CAP_NPRESET) or 0
    ptz_bits = facts.count(params, profile.CAP_PTZ) or 0
    return presets > 0 or ptz_bits > 0


def resource_groups(identity: Mapping[str, str]) -> list[str]:
    """The groups this camera has, from what its identity read said."""
    groups = [profile.EVENT_GROUP, *accounts.ACCOUNT_NAMES]
    if facts.cameralink_capable(identity):
        groups.append(profile.PEER_GROUP)
    if (facts.count(identity, profile.CAP_NPRESET) or 0) > 0:
        groups.append(profile.PRESET_GROUP)
    return groups


def read_camera(client: CameraClient) -> Reading:
    """Everything import needs from one camera; raises CameraError."""
    identity = client.getparam(list(profile.IDENTITY_GROUPS))
    params = profile.without_secrets({**identity, **client.getparam(resource_groups(identity))})
    rules = client.tracking_rules() if is_ptz(identity) else None
    return Reading(client.name, Observed(client.name, params, rules))


def read_cameras(cameras: Sequence[Camera], client_factory: ClientFactory,
                 concurrency: int) -> dict[str, Reading | CameraError]:
    """Every camera read at once (one request in flight per camera)."""
    def one(camera: Camera) -> Reading | CameraError:
        try:
            with client_factory(camera) as client:
                return read_camera(client)
        except CameraError as exc:
            return exc

    readings = run_each(cameras, one, concurrency=concurrency, name="import")
    return dict(zip((c.name for c in cameras), readings, strict=True))
