"""camlink.provision.site: converge one Camera Link site (``camlink-provision apply --yes``);
in check mode, plan it (``camlink-provision plan``)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: site
short_description: Converge a VIVOTEK Camera Link site to its inventory
description:
  - >-
    Plans the site (reads every selected camera) and applies the plan, as
    C(camlink-provision apply --yes) does, through the same Python API
    (C(camlink_provision.api.apply_site)): the site's lock, the journal, the recovery of a
    killed run, the plays of O(playbook) and the per-camera transactions (each camera ends
    fully before or fully after).
  - >-
    A converged site reports C(changed=false) and sends no write.
  - >-
    In check mode the site is only planned (C(camlink-provision plan)); C(changed) says
    whether there are changes to make. Nothing is written to any camera.
  - >-
    With C(--diff) every change of the plan is shown as a before/after diff per camera and
    resource; write-only values (link passwords) are masked as the plan file masks them.
  - >-
    The task fails, with the recap, when a camera failed, was unreachable or could not be
    planned, when the rollout was stopped or a verify play failed.
version_added: 0.1.0
extends_documentation_fragment:
  - camlink.provision.site
options:
  playbook:
    description:
      - >-
        The camlink-provision playbook (plays, serial, max_fail_percentage within the site),
        as C(apply --playbook). Default C(playbooks/site.yml) of O(chdir), else the one
        shipped with the tool.
    type: path
  lock_dir:
    description:
      - >-
        Where site locks live (default C($CAMLINK_LOCK_DIR), else
        C(~/.local/state/camlink-provision/locks)). Put it on a share when several execution
        nodes may run the same site.
    type: path
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - camlink-provision maintainers
seealso:
  - module: camlink.provision.verify
  - module: camlink.provision.facts
"""

EXAMPLES = r"""
- name: Converge the site (each site a host; the module runs on the machine near it)
  camlink.provision.site:
    inventory:
      - "{{ playbook_dir }}/../../inventories/{{ inventory_hostname }}"
    secrets: /etc/camlink/secrets/{{ inventory_hostname }}.yml
    chdir: /var/lib/camlink
    concurrency: 16
  delegate_to: "{{ camlink_node }}"

- name: Nightly drift check (run the playbook with --check --diff)
  camlink.provision.site:
    inventory: ["inventories/{{ inventory_hostname }}"]
  check_mode: true
  register: drift

- name: Canary first, secrets from an AWX credential's extra vars
  camlink.provision.site:
    inventory: ["inventories/{{ inventory_hostname }}"]
    playbook: playbooks/canary.yml
    limit: "gate-*"
    secret_values:
      admin_password: "{{ camlink_admin_password }}"

- name: Try it on emulated cameras on loopback
  camlink.provision.site:
    inventory: [inventories/minimal]
    emulate: true
  environment:
    CAMLINK_LOOPBACK_ONLY: "1"
"""

RETURN = r"""
site:
  description: The site's name, as its inventory gives it.
  returned: always
  type: str
  sample: construction-site
changed:
  description: A camera was written to and kept the change (in check mode, there are changes).
  returned: always
  type: bool
code:
  description: The exit status C(camlink-provision apply) would have (0, 1, 130, 143).
  returned: always
  type: int
totals:
  description: Changes of the plan by action.
  returned: always
  type: dict
  sample: {create: 4, update: 0, delete: 0}
plan:
  description: The plan, as C(camlink-provision plan --format json) prints it (no secret).
  returned: always
  type: dict
recap:
  description:
    - >-
      The per-camera recap (status ok, changed, failed, unreachable or skipped; why;
      where each camera ends; requests and writes), as C(RunResult.to_json()).
    - >-
      null when nothing was applied (a converged site, or check mode).
  returned: always
  type: dict
recap_text:
  description: The recap as the command prints it.
  returned: always
  type: str
failed_cameras:
  description: Cameras that failed, were unreachable or could not be planned.
  returned: always
  type: list
  elements: str
messages:
  description: What the command would have printed besides plan and recap (notes on the
    lock, recovery verdicts, inventory warnings).
  returned: always
  type: list
  elements: str
retry_file:
  description: When cameras failed, the file for C(limit=@FILE) to run only them again.
  returned: when cameras failed
  type: str
journal:
  description: The run's journal file (names, never values).
  returned: when applied
  type: str
"""

from typing import Any  # noqa: E402 - Ansible wants the documentation first

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.camlink.provision.plugins.module_utils.camlink import (  # noqa: E402
    SITE_ARGS,
    load,
    plan_diff,
    run,
    site_options,
)


def _check(module: AnsibleModule) -> dict[str, Any]:
    from camlink_provision.api import plan_site

    planned = plan_site(site_options(module.params))
    result: dict[str, Any] = {
        "site": planned.site, "changed": planned.changed, "code": planned.code,
        "totals": planned.plan.totals(), "plan": planned.plan.to_json(), "recap": None,
        "recap_text": "", "failed_cameras": [c.camera for c in planned.plan.failed],
        "messages": list(planned.messages)}
    if module._diff:
        result["diff"] = plan_diff(planned.plan)
    if not planned.ok:
        result.update(failed=True, msg=f"site {planned.site}: could not plan "
                      + ", ".join(result["failed_cameras"]))
    return result


def _apply(module: AnsibleModule) -> dict[str, Any]:
    from camlink_provision.api import apply_site

    done = apply_site(site_options(module.params), playbook=module.params["playbook"])
    out = done.to_json()
    result: dict[str, Any] = {
        "site": done.site, "changed": done.changed, "code": done.code,
        "totals": done.plan.totals(), "plan": out["plan"], "recap": out["recap"],
        "recap_text": done.recap, "failed_cameras": done.failed_cameras,
        "messages": list(done.messages), "journal": done.journal}
    if done.retry_file:
        result["retry_file"] = done.retry_file
    if module._diff:
        result["diff"] = plan_diff(done.plan)
    if not done.ok:
        result.update(failed=True, msg=_failure(done.site, done.code, done.failed_cameras,
                                                done.recap))
    return result


def _failure(site: str, code: int, cameras: list[str], recap: str) -> str:
    said = f"site {site}: apply ended with status {code}"
    if cameras:
        said += " — failed: " + ", ".join(cameras)
    return said + ("\n" + recap if recap else "")


def main() -> None:
    module = AnsibleModule(
        argument_spec={**SITE_ARGS, "playbook": {"type": "path"},
                       "lock_dir": {"type": "path"}},
        supports_check_mode=True)
    load(module)
    run(module, lambda: _check(module) if module.check_mode else _apply(module))


if __name__ == "__main__":
    main()
