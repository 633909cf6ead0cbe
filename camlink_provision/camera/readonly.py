"""A camera client that can only read: the probe's (docs/new-firmware.md).

The refusal is here, in code, before anything is sent: a GET of ``getparam.cgi`` (through any
level's directory) or of the two VCA reads passes; every other request, whatever asked for
it, is a ``CameraCommandError`` and never reaches the camera.
"""

from __future__ import annotations

from typing import Any

from camlink_provision.camera.client import Call, CameraClient, getparam_path
from camlink_provision.errors import CameraCommandError
from camlink_provision.firmware import profile as fw


class ReadOnlyClient(CameraClient):
    def reads(self) -> frozenset[str]:
        """The paths it may GET, as this camera spells them."""
        return frozenset({*map(getparam_path, fw.LEVEL_DIRS),
                          self.naming.path_out(fw.VCA_TRACKING), fw.VCA_STATUS})

    def _text(self, call: Call, **request: Any) -> str:
        if call.method != "GET" or call.path not in self.reads():
            raise CameraCommandError(self.name, "refused here, before sending: this client "
                                     "only reads (a probe never changes a camera)", str(call))
        text: str = super()._text(call, **request)
        return text
