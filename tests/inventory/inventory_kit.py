"""Helpers for the inventory tests: write small inventories, load them, collect problems."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from camlink_provision.errors import InventoryErrors
from camlink_provision.inventory import LoadResult, load_site

HERE = Path(__file__).parent
CASES = HERE / "cases"
REPO = HERE.parents[1]
EXAMPLES = REPO / "inventories"
SECRET_VALUES = {"admin_password": "kit-admin-Vb83qT", "link_password": "kit-link-Rm51wE"}

# A valid single-file site: one spotter, one PTZ camera, one link.
SITE = """\
all:
  vars:
    credentials: {username: admin, password: "{{ secret('admin_password') }}"}
  children:
    spotters:
      hosts:
        spot-1:
          address: 192.0.2.11
          model: IB9391-EHT-v2
          events:
            - {name: intrusion, trigger: {detection: zone-1}}
    ptz:
      hosts:
        ptz-1:
          address: 192.0.2.21
          model: SD9384-EHL
          presets:
            - {name: gate, pan: 100, tilt: -200, zoom: 4}
links:
  - name: link-1
    spotter: spot-1
    event: intrusion
    targets:
      - {ptz: ptz-1, preset: gate}
site: {name: kit-site}
"""


def write(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text dedented); return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def secrets_file(root: Path, values: Mapping[str, str] = SECRET_VALUES) -> Path:
    path = root / "test-secrets.yml"
    path.write_text("".join(f"{name}: {value}\n" for name, value in values.items()))
    return path


def load(sources: Sequence[Path], secrets: Path | None = None,
         environ: Mapping[str, str] | None = None) -> LoadResult:
    return load_site(sources, secrets, environ={} if environ is None else environ)


def problems(sources: Sequence[Path], secrets: Path | None = None,
             environ: Mapping[str, str] | None = None) -> list[str]:
    """Every problem as printed; [] when the inventory loads without any."""
    try:
        result = load(sources, secrets, environ)
    except InventoryErrors as exc:
        return [e.render() for e in exc.errors]
    return [w.render() for w in result.warnings]
