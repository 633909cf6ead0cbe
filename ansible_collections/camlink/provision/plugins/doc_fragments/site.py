"""The options every camlink.provision module shares (``extends_documentation_fragment:
camlink.provision.site``), matching ``module_utils.camlink.SITE_ARGS``."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  inventory:
    description:
      - >-
        The site's inventory directories or files, merged in order (later ones win), as
        C(camlink-provision -i).
      - >-
        Relative paths are read from O(chdir), else from the module's working directory.
    type: list
    elements: path
    required: true
  secrets:
    description:
      - >-
        A secrets file or directory for C(secret('NAME')), as C(--secrets). Without it
        C($CAMLINK_SECRETS), else C(secrets/) or C(secrets.yml) beside the first inventory.
      - >-
        Whatever the source, C(CAMLINK_SECRET_<NAME>) environment variables fill in the rest:
        an AWX credential that injects them, or the task's C(environment:), reaches the
        module as is.
    type: path
  secrets_command:
    description:
      - >-
        A command whose output is the secrets YAML, e.g. C(sops -d secrets.enc.yml) (no shell).
    type: str
  secret_values:
    description:
      - >-
        Secret values by name, e.g. C({admin_password: "{{ vault_admin_password }}"}); each is
        given to the secrets backend as C(CAMLINK_SECRET_<NAME>) of the module's process.
        For values from Ansible Vault or an AWX credential's extra vars. Never logged.
    type: dict
    default: {}
  limit:
    description:
      - >-
        Camera names, group names or glob patterns, comma-separated; C(!) excludes (as
        C(--limit)).
    type: str
  concurrency:
    description:
      - Cameras worked on at once (one request in flight per camera).
      - When not given, the tool's own default, as C(camlink-provision plan --help) shows.
    type: int
  emulate:
    description:
      - >-
        Start an emulated fleet built from the inventory inside the module and talk to it, on
        loopback (as C(--emulate)). For trying a playbook without cameras.
    type: bool
    default: false
  emulator_state:
    description: With O(emulate), where the fleet keeps its settings (default
      C(.camlink/emulator/<site>)).
    type: path
  chdir:
    description:
      - >-
        The directory the run works in. C(.camlink/) there holds the journal (and the
        recovery of a killed run reads it), the retry file and the emulator's state, so on an
        execution node it must persist between jobs.
    type: path
requirements:
  - >-
    camlink-provision (its Python package) installed for the Python that runs the module
notes:
  - >-
    Set C(CAMLINK_LOOPBACK_ONLY=1) in the environment to refuse any connection beyond
    127.0.0.0/8 (tests, demos).
"""
