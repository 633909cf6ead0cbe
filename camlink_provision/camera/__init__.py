"""The camera client: one camera's firmware surface as typed calls (see client.py)."""

from camlink_provision.camera.client import (
    CameraClient,
    LinkTestResult,
    Position,
    TrackingStatus,
)

__all__ = ["CameraClient", "LinkTestResult", "Position", "TrackingStatus"]
