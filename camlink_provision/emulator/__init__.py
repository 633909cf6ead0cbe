"""The camera emulator: VIVOTEK firmware 2103+ over real HTTP on loopback.

    running_fleet(specs)  -> Fleet          many cameras, one port each, one asyncio loop
    EmulatedCamera                          one camera's firmware (camera.py), no transport
    load_fleet_file(path) -> [CameraSpec]   FLEET.yml

See docs/emulator.md for the control plane, faults and the fleet file.
"""

from camlink_provision.emulator.camera import EmulatedCamera
from camlink_provision.emulator.fleet import Fleet, running_fleet, start_fleet
from camlink_provision.emulator.fleetfile import load_fleet_file
from camlink_provision.emulator.spec import AccountSpec, CameraSpec, Fault, LogEntry

__all__ = ["AccountSpec", "CameraSpec", "EmulatedCamera", "Fault", "Fleet", "LogEntry",
           "load_fleet_file", "running_fleet", "start_fleet"]
