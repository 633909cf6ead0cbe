"""What never leaves this machine in a capture or a dump: passwords and their kin.

One rule for every file the tool writes from a camera's traffic (``plan --record``,
``probe --save-dump``): a parameter or argument whose name looks like a secret has its value
replaced, and no request header is ever written (so no Basic or Digest credential). The
profile's own write-only (7/6) fields are secret whatever their name; the pattern covers the
rest, e.g. ``security_user_i0_pass`` (readable by admin on a real camera: 6/6).
"""

from __future__ import annotations

import re

from camlink_provision.firmware import profile as fw

REMOVED = "(removed)"
_SECRET = re.compile(r"pass|pwd|secret|token|psk|key", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    last = name.rsplit("_", 1)[-1]
    return last in fw.PEER_SECRET_FIELDS or bool(_SECRET.search(name))


def redact_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REMOVED if is_secret_name(name) and value else value)
            for name, value in pairs]
