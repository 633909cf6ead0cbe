"""What the camlink.provision modules share: the site options, secrets from the
environment, turning the API's outcomes into Ansible results.

The modules are thin: every camera is reached through ``camlink_provision.api``, the same
code ``camlink-provision`` runs (lock, journal, recovery, rollout, recap). That package must
be installed for the Python running the module (``ansible_python_interpreter``): on an
execution node, or inside the execution environment (examples/ansible/).
"""

from __future__ import annotations

import json
import os
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ansible.module_utils.basic import AnsibleModule

try:
    from camlink_provision import netguard
    from camlink_provision.api import SiteOptions
    from camlink_provision.errors import CamlinkError
    from camlink_provision.model import Plan
except ImportError:  # reported by ``load`` as a task failure, not as a traceback
    IMPORT_ERROR: str | None = traceback.format_exc()
else:
    IMPORT_ERROR = None

Result = dict[str, Any]

# The options every module takes: where the site comes from and how cameras are reached.
# ``secrets``, ``secrets_command`` and ``secret_values`` are ``no_log``: Ansible masks their
# values in every result, log and diff (a path or command may name a vault or a token).
SITE_ARGS: dict[str, dict[str, Any]] = {
    "inventory": {"type": "list", "elements": "path", "required": True},
    "secrets": {"type": "path", "no_log": True},
    "secrets_command": {"type": "str", "no_log": True},
    "secret_values": {"type": "dict", "no_log": True, "default": {}},
    "limit": {"type": "str"},
    # No default here: the tool's own (camlink_provision.runner.DEFAULT_CONCURRENCY) applies.
    "concurrency": {"type": "int"},
    "emulate": {"type": "bool", "default": False},
    "emulator_state": {"type": "path"},
    "chdir": {"type": "path"},
}
# $CAMLINK_SECRET_<NAME> is what the secrets backend reads for secret('name'): an AWX
# credential (or the task's ``environment:``) that injects such variables reaches it as is.
ENV_PREFIX = "CAMLINK_SECRET_"
_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def load(module: AnsibleModule) -> None:
    """Fail the task when the package is missing; else prepare the process for a run:
    the working directory, the loopback guard, secrets passed as values."""
    if IMPORT_ERROR is not None:
        module.fail_json(msg="camlink-provision is not installed for the Python running this "
                         f"module ({module._name}): pip install camlink-provision on the "
                         "execution node or in the execution environment",
                         exception=IMPORT_ERROR)
    params = module.params
    if params.get("chdir"):
        try:
            os.chdir(params["chdir"])  # .camlink/ (journal, retry file, emulator state)
        except OSError as exc:
            module.fail_json(msg=f"chdir: cannot work in {params['chdir']}: {exc.strerror}")
    netguard.install_if_requested()  # $CAMLINK_LOOPBACK_ONLY=1 reaches the module as is
    for name, value in (params.get("secret_values") or {}).items():
        if not _NAME.match(str(name)):
            module.fail_json(msg=f"secret_values: {name!r} is not a secret name (letters, "
                             "digits and _ only)")
        os.environ[ENV_PREFIX + str(name).upper()] = str(value)


def site_options(params: Mapping[str, Any]) -> SiteOptions:
    options = SiteOptions(inventory=list(params["inventory"]), secrets=params.get("secrets"),
                          secrets_command=params.get("secrets_command"),
                          limit=params.get("limit"), emulate=bool(params["emulate"]),
                          emulator_state=params.get("emulator_state"),
                          lock_dir=params.get("lock_dir"))
    chosen = params.get("concurrency")
    return options if chosen is None else replace(options, concurrency=int(chosen))


def run(module: AnsibleModule, work: Callable[[], Result]) -> None:
    """Run ``work`` and exit the module with its result; a ``CamlinkError`` (an invalid
    inventory, a locked site) fails the task with its message, which holds no secret."""
    try:
        result = work()
    except CamlinkError as exc:
        module.fail_json(msg=str(exc), changed=False)
        return
    if result.get("failed"):
        result.pop("failed")
        module.fail_json(**result)
    module.exit_json(**result)


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def plan_diff(plan: Plan) -> list[dict[str, str]]:
    """Ansible's before/after diffs, one per change of the plan. The values are the plan
    file's: a write-only value (a peer password) is shown as the plan shows it, masked."""
    diffs = []
    for change in plan.changes:
        where = f"{change.camera}: {change.kind} {change.name}"
        before, after = [], []
        for attribute in change.attributes:
            shown = attribute.to_json()  # masks a sensitive attribute on both sides
            if change.action != "create":
                before.append(f"{shown['name']}: {_value(shown['before'])}\n")
            if change.action != "delete":
                after.append(f"{shown['name']}: {_value(shown['after'])}\n")
        diffs.append({"before_header": f"{where} (camera)",
                      "after_header": f"{where} ({change.action}: {change.reason})",
                      "before": "".join(before), "after": "".join(after)})
    return diffs
