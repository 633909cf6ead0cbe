"""``import``: adopt a site configured by hand, as inventory files in the project's format.

    source = load_source(paths, secrets)               how to reach each camera (source.py)
    imported = import_site(source, names)              read (read.py), adopt (adopt.py),
                                                       write the files' text (write.py)
    write_out(imported.files, Path("out"))             put them on disk

The promise: on a site configured by any means, ``plan`` on the imported inventory (with the
same secrets, and the link passwords import could not know filled in) shows no change —
except where a warning says what plan would rewrite, because the inventory cannot say it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from camlink_provision.errors import CameraError, ImportFailed
from camlink_provision.importer.adopt import Adoption, adopt
from camlink_provision.importer.read import Reading, read_cameras
from camlink_provision.importer.source import Source, load_source
from camlink_provision.importer.write import Files, inventory_files
from camlink_provision.plan import ClientFactory, default_client
from camlink_provision.runner import DEFAULT_CONCURRENCY

__all__ = ["Files", "ImportFailed", "Imported", "import_site", "load_source", "write_out"]

@dataclass(frozen=True)
class Imported:
    adoption: Adoption
    files: Files

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.adoption.warnings + self.files.warnings


def import_site(source: Source, names: Sequence[str], *,
                concurrency: int = DEFAULT_CONCURRENCY,
                client_factory: ClientFactory = default_client) -> Imported:
    """Read the named cameras and turn what they hold into inventory files (as text)."""
    cameras = [source.site.cameras[name] for name in names]
    results = read_cameras(cameras, client_factory, concurrency)
    failed = {name: r for name, r in results.items() if isinstance(r, CameraError)}
    if failed:
        detail = "; ".join(f"{error}" for error in failed.values())
        raise ImportFailed(f"{len(failed)} camera(s) could not be read, nothing written: "
                           f"{detail}")
    readings = {name: r for name, r in results.items() if isinstance(r, Reading)}
    adoption = adopt(source.site, readings)
    where = ", ".join(source.site.sources) or "the inventory"
    return Imported(adoption, inventory_files(adoption, source.written, where))


def write_out(files: Files, directory: Path) -> list[Path]:
    """Write the files under ``directory``, which must be new or empty (never overwritten)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ImportFailed(f"{directory} exists and is not an empty directory: import never "
                           "overwrites an inventory; choose a new directory")
    written = []
    for relative, text in sorted(files.texts.items()):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
