"""camlink.provision.verify: prove each Camera Link of a site through the cameras
(``camlink-provision verify``, read-only by default)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: verify
short_description: Verify the Camera Links of a site, through the cameras
description:
  - >-
    Runs C(camlink-provision verify)'s checks (C(camlink_provision.api.verify_site)): one
    result per (link, target PTZ camera), the first failing check and its likely cause.
  - >-
    With O(read_only=true) (the default) nothing changes on any camera: the spotters'
    events, peers and camera-link actions, the PTZ's presets and tracking rules are read, and
    each spotter runs its plain link test (it contacts the PTZ with the account it stores).
    The checks that would move a PTZ or pulse an output are reported as skipped, never as
    passed.
  - >-
    With O(read_only=false) the spotters perform each link's action ("Test preset"): PTZ
    cameras MOVE and outputs PULSE, and each PTZ is put back afterwards. Not in check mode.
  - >-
    Never reports C(changed). The task fails when any link target failed.
version_added: 0.1.0
extends_documentation_fragment:
  - camlink.provision.site
options:
  read_only:
    description:
      - >-
        Change nothing on any camera (C(verify --read-only)). In check mode verify is always
        read-only.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
author:
  - camlink-provision maintainers
seealso:
  - module: camlink.provision.site
"""

EXAMPLES = r"""
- name: After converging, prove the links (read-only, nothing moves)
  camlink.provision.verify:
    inventory: ["inventories/{{ inventory_hostname }}"]
    secrets: /etc/camlink/secrets/{{ inventory_hostname }}.yml
  register: links

- name: In a maintenance window, make the spotters move the PTZ cameras
  camlink.provision.verify:
    inventory: ["inventories/{{ inventory_hostname }}"]
    read_only: false
"""

RETURN = r"""
site:
  description: The site's name.
  returned: always
  type: str
ok:
  description: Every link target passed its checks.
  returned: always
  type: bool
read_only:
  description: Whether the checks that move or pulse were skipped.
  returned: always
  type: bool
totals:
  description: Links checked, passed, failed (and skipped checks when read-only).
  returned: always
  type: dict
  sample: {links: 4, passed: 4, failed: 0, skipped_checks: 12}
results:
  description:
    - >-
      One per (link, target PTZ) - link, spotter, event, ptz, passed, cause, failed_check,
      detail, restored, and every check with its status (passed, failed, skipped).
  returned: always
  type: list
  elements: dict
"""

from typing import Any  # noqa: E402 - Ansible wants the documentation first

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.camlink.provision.plugins.module_utils.camlink import (  # noqa: E402
    SITE_ARGS,
    load,
    run,
    site_options,
)


def _verify(module: AnsibleModule) -> dict[str, Any]:
    from camlink_provision.api import verify_site

    read_only = bool(module.params["read_only"]) or module.check_mode
    checked = verify_site(site_options(module.params), read_only=read_only)
    report = checked.to_json()
    result: dict[str, Any] = {
        "changed": False, "site": report["site"], "ok": checked.ok, "read_only": read_only,
        "totals": report["totals"], "results": report["results"],
        "messages": list(checked.messages)}
    if not checked.ok:
        failed = [f"{r['link']} -> {r['ptz']}: {r['cause']}" for r in report["results"]
                  if not r["passed"]]
        result.update(failed=True, msg=f"site {report['site']}: {len(failed)} link "
                      "target(s) failed: " + "; ".join(failed))
    return result


def main() -> None:
    module = AnsibleModule(argument_spec={**SITE_ARGS, "read_only": {"type": "bool",
                                                                     "default": True}},
                           supports_check_mode=True)
    load(module)
    run(module, lambda: _verify(module))


if __name__ == "__main__":
    main()
