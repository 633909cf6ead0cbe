"""camlink.provision.facts: what the cameras of a site report, read-only."""

from __future__ import annotations

DOCUMENTATION = r"""
module: facts
short_description: Read what the cameras of a site report
description:
  - >-
    Reads each selected camera as C(camlink-provision plan) reads it
    (C(camlink_provision.api.read_facts)) - identity (model, firmware), the settings
    fingerprint, and what it holds per resource kind (presets, tracking rules, peers,
    events) - without the peers' link tests. Only reads: nothing is written or tested.
  - >-
    A camera that cannot be read is reported with C(reachable=false) and the reason; the
    task does not fail for it (check C(ok)), so a fleet report covers every site.
  - >-
    Write-only values (passwords) are never returned; cameras do not give them out.
version_added: 0.1.0
extends_documentation_fragment:
  - camlink.provision.site
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
author:
  - camlink-provision maintainers
"""

EXAMPLES = r"""
- name: What the site's cameras hold
  camlink.provision.facts:
    inventory: ["inventories/{{ inventory_hostname }}"]
  register: cameras

- name: Firmware report across the fleet
  ansible.builtin.debug:
    msg: "{{ ansible_facts.camlink_cameras | dict2items
             | map(attribute='value.firmware') | list }}"
"""

RETURN = r"""
site:
  description: The site's name.
  returned: always
  type: str
ok:
  description: Every selected camera could be read.
  returned: always
  type: bool
cameras:
  description:
    - >-
      Per camera name - role, reachable, model, firmware, fingerprint, error, error_kind,
      and one list per resource kind the camera has (preset, tracking_rule, peer, event),
      each item with name, slot and attributes as the camera reports them.
  returned: always
  type: dict
ansible_facts:
  description: The same per-camera facts as C(camlink_cameras), and C(camlink_site).
  returned: always
  type: dict
"""

from typing import Any  # noqa: E402 - Ansible wants the documentation first

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.camlink.provision.plugins.module_utils.camlink import (  # noqa: E402
    SITE_ARGS,
    load,
    run,
    site_options,
)


def _facts(module: AnsibleModule) -> dict[str, Any]:
    from camlink_provision.api import read_facts

    facts = read_facts(site_options(module.params)).to_json()
    return {"changed": False, "site": facts["site"], "ok": facts["ok"],
            "cameras": facts["cameras"], "messages": facts["messages"],
            "ansible_facts": {"camlink_site": facts["site"],
                              "camlink_cameras": facts["cameras"]}}


def main() -> None:
    module = AnsibleModule(argument_spec=dict(SITE_ARGS), supports_check_mode=True)
    load(module)
    run(module, lambda: _facts(module))


if __name__ == "__main__":
    main()
