"""Every error camlink-provision raises on purpose, in one tree.

    CamlinkError                     anything the CLI prints as one line and exits 1 on
    ├── InventoryError               bad input; carries file, line, column, JSON path, hint
    │   └── PlaybookError            the same, about a playbook file
    ├── InventoryErrors              several InventoryError at once (validation reports all)
    ├── CameraError                  one camera misbehaved; carries the camera and the request
    │   ├── CameraUnreachable        refused, reset, timed out, DNS, TLS
    │   │   └── CameraBusy           503: up, but not serving now
    │   ├── CameraLocalLimit         this machine is out of file descriptors (EMFILE)
    │   ├── CameraAuthError          401: the credentials were refused
    │   ├── CameraCommandError       "ERROR: Invalid command!" inside a 200, or a VCA 400
    │   └── CameraProtocolError      a reply that does not follow the firmware contract
    │       └── CameraServerError    another 5xx: it failed inside, may or may not have acted
    ├── PlanError                    a saved plan cannot be used (stale, wrong site, bad file)
    ├── LockError                    another apply holds the site's lock
    ├── ConfirmationRefused          apply without a terminal to ask and without --yes
    ├── EndToEndNeedsEmulator        verify --end-to-end without --emulate
    └── ImportFailed                 import could not read every selected camera, or the
                                     output directory is in use: nothing was written

Errors never carry secret values: messages name parameters, never their values when the
parameter is a password, and requests are described by method, path and parameter names.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class CamlinkError(Exception):
    """Base of every expected error. ``str(err)`` is the one line the CLI prints."""


@dataclass(frozen=True)
class Location:
    """Where a value came from: file, 1-based line and column, and its JSON path."""

    file: str
    line: int = 0
    column: int = 0
    path: str = ""

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


class InventoryError(CamlinkError):
    """A problem in the inventory; printed as ``FILE:LINE:COL: what — what to do``."""

    def __init__(self, message: str, location: Location | None = None, hint: str = "",
                 severity: str = "error") -> None:
        self.message = message
        self.location = location
        self.hint = hint
        self.severity = severity
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        prefix = "warning: " if self.severity == "warning" else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}{prefix}{self.message}{hint}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location or Location("")
        return (loc.file, loc.line, loc.column, self.message)


class PlaybookError(InventoryError):
    """A problem in a playbook file, printed as ``FILE:LINE:COL: what — what to do``."""


@dataclass
class InventoryErrors(CamlinkError):
    """Every problem found in one pass, sorted by file and line."""

    errors: list[InventoryError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.errors.sort(key=InventoryError.sort_key)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(e.render() for e in self.errors)


class CameraError(CamlinkError):
    """A camera did not do what was asked. ``camera`` is the inventory name."""

    kind = "error"
    transient = False  # may well work if asked again (no answer, 5xx): see apply's retries
    # The camera answered, busy or failing inside (5xx): it is up, so a read is worth asking
    # again at once, unlike one that got no answer (which already waited out its timeouts).
    answered = False

    def __init__(self, camera: str, message: str, request: str = "") -> None:
        self.camera = camera
        self.message = message
        self.request = request
        on = f" ({request})" if request else ""
        super().__init__(f"{camera}: {message}{on}")


class CameraUnreachable(CameraError):
    kind = "unreachable"
    transient = True


class CameraBusy(CameraUnreachable):
    """503: the camera is up but will not serve now."""

    answered = True


class CameraLocalLimit(CameraError):
    """This machine, not the camera, ran out of something (file descriptors)."""

    kind = "local"


class CameraAuthError(CameraError):
    kind = "unauthorized"


class CameraCommandError(CameraError):
    kind = "refused"


class CameraProtocolError(CameraError):
    kind = "protocol"


class CameraServerError(CameraProtocolError):
    """A 5xx reply: the camera failed inside; it may have done the work or not."""

    transient = True
    answered = True


class PlanError(CamlinkError):
    """A saved plan cannot be applied as it stands."""


class LockError(CamlinkError):
    """Another run holds the site's lock."""


class ConfirmationRefused(CamlinkError):
    """No terminal to ask and no --yes: nothing is applied."""


class EndToEndNeedsEmulator(CamlinkError):
    """--end-to-end fires detections through the emulator's control plane."""


class ImportFailed(CamlinkError):
    """Import needs every selected camera: a partial picture would be a wrong inventory."""
