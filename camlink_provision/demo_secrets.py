"""Make a throwaway secrets file for an example inventory, for the demo and the tests.

Example inventories name their secrets (``secret('site_admin_password')``) but never hold
them. Against the emulator any value works, so this writes random ones for every name the
inventory uses and the file does not have yet, keeping those it has (so the emulator's saved
state and the secrets stay in step across runs). The file is created with mode 0600 under
``.camlink/``, which git ignores.

    python -m camlink_provision.demo_secrets INVENTORY_DIR SECRETS_FILE
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

import yaml

_SECRET_CALL = re.compile(r"""secret\(\s*['"]([A-Za-z0-9_.\-]+)['"]\s*\)""")


def secret_names(inventory: Path) -> list[str]:
    """Every NAME in ``secret('NAME')`` across the inventory's YAML files, sorted."""
    files = [inventory] if inventory.is_file() else sorted(inventory.rglob("*.y*ml"))
    names: set[str] = set()
    for path in files:
        if path.name.startswith("secrets"):
            continue
        names.update(_SECRET_CALL.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def ensure_secrets(inventory: Path, target: Path) -> list[str]:
    """Add a random value for each missing name; return the names that were added."""
    existing: dict[str, str] = {}
    if target.exists():
        existing = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    added = [name for name in secret_names(inventory) if name not in existing]
    for name in added:
        # URL-safe letters only: no character the firmware refuses in a string[n].
        existing[name] = secrets.token_urlsafe(15)
    if added or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("# Throwaway secrets for the emulator demo; not for real cameras.\n")
            yaml.safe_dump(existing, out, sort_keys=True)
    return added


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    ensure_secrets(Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
