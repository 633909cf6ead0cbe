"""Resource kinds: one module per kind, each with the same contract (``base.Resource``).

``KINDS`` is the fixed order in which a camera's kinds are planned and created: accounts,
presets and tracking rules (what a PTZ offers) before peers, and peers before the events
whose camera-link actions name a peer slot. Deletions run in the reverse order.
"""

from __future__ import annotations

from camlink_provision.inventory.model import ResourceKind
from camlink_provision.resources import accounts, events, peers, presets, tracking
from camlink_provision.resources.base import (
    Adopted,
    Context,
    Have,
    KindResult,
    Noop,
    Resource,
    SlotResource,
    Wanted,
)

KINDS: tuple[Resource, ...] = (accounts.RESOURCE, presets.RESOURCE, tracking.RESOURCE,
                               peers.RESOURCE, events.RESOURCE)
BY_KIND: dict[ResourceKind, Resource] = {kind.kind: kind for kind in KINDS}

__all__ = ["BY_KIND", "KINDS", "Adopted", "Context", "Have", "KindResult", "Noop", "Resource",
           "SlotResource", "Wanted"]
