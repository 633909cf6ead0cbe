"""The command line: argument parsing and exit codes, nothing else.

Each sub-command hands its parsed arguments to one function in the module that owns the
work and turns what comes back (or what is raised) into an exit status. The statuses are
defined here and only here (the commands import them):

    0    success (with --detailed-exitcode: success and nothing to change)
    1    an error: bad inventory, a camera failed, a stale plan, a refused confirmation,
         a site locked by another apply
    2    only with `plan --detailed-exitcode`: success, and there are changes
    3    an unexpected internal error (traceback written to .camlink/crash.log)
    64   a usage error: unknown option, bad argument (EX_USAGE; argparse's own 2 remapped,
         so that 2 keeps one meaning)
    130  interrupted (SIGINT, Ctrl-C); 143 terminated (SIGTERM or SIGHUP). During apply's
         rollout no further camera is started, those under way finish or are restored, and
         the recap is printed; then, as at any other moment, the lock is released, the
         emulated fleet stopped and the journal closed (apply/stopping.py).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from camlink_provision import __version__, netguard
from camlink_provision.errors import CamlinkError
from camlink_provision.runner import DEFAULT_CONCURRENCY, tuned_collector

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_BUG = 0, 1, 2, 3
EXIT_USAGE = 64  # sysexits.h EX_USAGE
COMPLETION_SHELLS = ("bash", "zsh", "fish")
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM  # 130, 143


class UsageParser(argparse.ArgumentParser):
    """argparse, exiting EXIT_USAGE on a usage error instead of 2 (which means "changes")."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every ``with`` block unwinds."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated

# sub-command -> "module:function" taking the parsed arguments and returning an exit status.
# Imported lazily so that `validate` never loads the HTTP stack, and `--help` stays fast.
HANDLERS: dict[str, str] = {
    "validate": "camlink_provision.inventory.command:run_validate",
    "inventory": "camlink_provision.inventory.view:run_inventory",
    "plan": "camlink_provision.commands.plan_cmd:run_plan",
    "apply": "camlink_provision.commands.apply_cmd:run_apply",
    "verify": "camlink_provision.commands.verify_cmd:run_verify",
    "import": "camlink_provision.commands.import_cmd:run_import",
    "emulate": "camlink_provision.emulator.service:run_emulate",
    "probe": "camlink_provision.commands.probe_cmd:run_probe",
    "completion": "camlink_provision.cli:run_completion",
    "unlock": "camlink_provision.commands.unlock_cmd:run_unlock",
}
# What each sub-command does, and examples: its --help.
ABOUT: dict[str, tuple[str, tuple[str, ...]]] = {
    "validate": (
        "Check an inventory: files, YAML, schema, templates, firmware limits and link rules. "
        "Sends nothing to any camera. Without secrets it runs offline (as CI does) and lists "
        "the secrets the site needs.",
        ("camlink-provision validate -i inventories/construction-site",
         "camlink-provision validate -i inventories/minimal --secrets secrets.yml")),
    "inventory": (
        "Show the inventory as the tool reads it after merging and templating, as "
        "ansible-inventory does. Offline; passwords are never shown.",
        ("camlink-provision inventory -i inventories/construction-site --graph",
         "camlink-provision inventory -i inventories/minimal --list --format json")),
    "plan": (
        "Read the cameras and show what differs from the inventory, in the order apply "
        "will run it. Writes nothing to any camera.",
        ("camlink-provision plan -i inventories/construction-site --out site.plan.json",
         "camlink-provision plan -i INV --format markdown > plan.md  # a PR comment",
         "camlink-provision plan -i INV --detailed-exitcode  # exit 2: there are changes")),
    "apply": (
        "Converge the cameras to the inventory (or to a saved plan, exactly): each camera "
        "ends fully before or fully after, and the recap says which.",
        ("camlink-provision apply -i inventories/construction-site --emulate --yes",
         "camlink-provision apply -i INV site.plan.json  # the reviewed plan, as it is",
         "camlink-provision apply -i INV --limit @.camlink/retry/SITE.retry")),
    "verify": (
        "Prove each link through the cameras. It MOVES PTZ cameras to presets and PULSES "
        "digital outputs (each put back afterwards). With --read-only it changes nothing on "
        "any camera: only stored settings, accounts and the spotters' link tests are "
        "checked, and the other checks are reported as skipped.",
        ("camlink-provision verify -i inventories/construction-site",
         "camlink-provision verify -i INV --read-only  # moves and pulses nothing",
         "camlink-provision verify -i INV --emulate --end-to-end")),
    "import": (
        "Write inventory files from cameras set up by hand, so a site can be adopted.",
        ("camlink-provision import -i cameras-only.yml --out inventories/adopted",)),
    "probe": (
        "Read each camera (it never writes: its client only reads) and report, per name "
        "the firmware profile uses, whether the camera has it, with which type and level; "
        "candidates for each missing one; and whether plan and apply can run there as it "
        "is. Exit 1 when they cannot. See docs/new-firmware.md.",
        ("camlink-provision probe -i inventories/minimal --limit entrance-spotter",
         "camlink-provision probe --host 192.0.2.21 --user admin --write-profile "
         "firmware.yml",
         "camlink-provision probe -i INV --save-dump field-report/ --format json")),
    "emulate": (
        "Serve emulated cameras on loopback (127.0.0.1), speaking the firmware's HTTP "
        "interface, for trying the tool without cameras. With --profile the cameras speak "
        "that firmware profile's spellings.",
        ("camlink-provision emulate -i inventories/minimal --overlay emulated.yml",
         "camlink-provision emulate --from-dump gate=field-report.getparam.txt "
         "--profile site-firmware.yml")),
    "unlock": (
        "Release a site's lock that an apply left behind on another host, or a corrupt lock "
        "file. A lock whose holder still runs on this host is never removed.",
        ("camlink-provision unlock construction-site",
         "camlink-provision unlock construction-site --yes --lock-dir /shared/locks")),
    "completion": (
        "Print a shell completion script, generated from this command line's options.",
        ("camlink-provision completion bash > "
         "~/.local/share/bash-completion/completions/camlink-provision",
         'camlink-provision completion zsh > "${fpath[1]}/_camlink-provision"',
         "camlink-provision completion fish > "
         "~/.config/fish/completions/camlink-provision.fish")),
}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def _add_inventory_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("-i", "--inventory", action="append", default=[], required=required,
                        metavar="INV", help="inventory directory or file; repeat to merge, "
                        "later sources win")
    parser.add_argument("--secrets", metavar="PATH",
                        help="secrets file or directory for secret('NAME'); '-' or a pipe "
                        "reads the YAML from it (default: $CAMLINK_SECRETS, else secrets/ or "
                        "secrets.yml beside the first inventory); $CAMLINK_SECRET_<NAME> "
                        "variables fill in the rest")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="show each camera request on stderr (method, path, parameter "
                        "names, status, time; never values); -vv adds reply sizes and "
                        "repeats")
    parser.add_argument("--no-color", action="store_true", help="no colour, even on a "
                        "terminal (as does a non-empty $NO_COLOR)")
    parser.add_argument("--secrets-command", metavar="CMD",
                        help="a command whose output is the secrets YAML, e.g. "
                        "'sops -d secrets.enc.yml' (no shell: write sh -c '...' for one)")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", metavar="PATTERN", help="camera names, group names or "
                        "glob patterns, comma-separated; '!' excludes (as Ansible)")
    parser.add_argument("--concurrency", type=_positive_int, default=DEFAULT_CONCURRENCY,
                        metavar="N", help="cameras worked on at once (default "
                        f"{DEFAULT_CONCURRENCY}; one request in flight per camera)")
    parser.add_argument("--emulate", action="store_true", help="start an emulated fleet "
                        "built from the inventory inside this command and talk to it")
    parser.add_argument("--emulator-state", metavar="DIR", default=None,
                        help="where the --emulate fleet keeps its cameras' settings "
                        "(default .camlink/emulator/<site>)")
    _add_profile_option(parser)


def _add_profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", metavar="FILE", default=None,
                        help="a firmware profile override: the [modelled] names as this "
                        "site's firmware spells them (wins over the inventory's site: "
                        "firmware_profile:); see docs/new-firmware.md")


def _add_lock_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lock-dir", metavar="DIR", default=None,
                        help="where site locks live, shared by every checkout (default: "
                        "$CAMLINK_LOCK_DIR, else $XDG_STATE_HOME/camlink-provision/locks, "
                        "else ~/.local/state/camlink-provision/locks)")


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="camlink-provision", description="Provision VIVOTEK "
                                     "Camera Link deployments from inventories in git.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = _command(sub, "validate", help="check an inventory; sends nothing to cameras")
    _add_inventory_options(validate)

    inventory = _command(sub, "inventory", help="show the inventory as the tool reads it, "
                               "as ansible-inventory does; sends nothing to cameras")
    _add_inventory_options(inventory)
    view = inventory.add_mutually_exclusive_group(required=True)
    view.add_argument("--graph", action="store_true", help="the group tree and its cameras")
    view.add_argument("--list", action="store_true", help="every camera with its settings")
    inventory.add_argument("--format", choices=("text", "json"), default="text",
                           help="with --list: json is ansible-inventory --list's shape")

    plan = _command(sub, "plan", help="show what differs between cameras and the inventory")
    _add_inventory_options(plan)
    _add_run_options(plan)
    plan.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    plan.add_argument("--out", metavar="PLANFILE", help="save the plan (JSON) for apply")
    plan.add_argument("--detailed-exitcode", action="store_true",
                      help="exit 2 when there are changes, 0 when there are none")
    plan.add_argument("--record", metavar="DIR", help="write every request and reply of "
                      "the run to DIR/<camera>.jsonl, without headers or secrets, for a "
                      "bug report")

    apply = _command(sub, "apply", help="converge the cameras to the inventory")
    _add_inventory_options(apply)
    _add_run_options(apply)
    apply.add_argument("--playbook", metavar="FILE", help="plays to run (default "
                       "playbooks/site.yml)")
    apply.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _add_lock_dir_option(apply)
    apply.add_argument("planfile", nargs="?", metavar="PLANFILE",
                       help="apply exactly this saved plan (refused if stale)")

    verify = _command(sub, "verify", help="prove each link works, through the cameras")
    _add_inventory_options(verify)
    _add_run_options(verify)
    verify.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    verify_mode = verify.add_mutually_exclusive_group()
    verify_mode.add_argument("--end-to-end", action="store_true", help="with --emulate: "
                             "also fire each link's detection and check the PTZ moved")
    verify_mode.add_argument("--read-only", action="store_true", help="change nothing on "
                             "any camera: check stored settings, accounts and link tests "
                             "only; report the checks that move or pulse as skipped")

    imp = _command(sub, "import", help="write inventory files from cameras set up by hand")
    _add_inventory_options(imp)
    _add_run_options(imp)
    imp.add_argument("--out", required=True, metavar="DIR", help="directory to write")

    probe = _command(sub, "probe", help="check a camera's firmware names against the "
                          "firmware profile; writes nothing to any camera")
    _add_inventory_options(probe, required=False)
    _add_run_options(probe)
    probe.add_argument("--host", metavar="HOST", help="probe one camera by address instead "
                       "of -i (password: --password-secret from the secrets backends)")
    probe.add_argument("--port", type=int, default=80, metavar="P", help="with --host")
    probe.add_argument("--user", metavar="USER", help="with --host: an admin account")
    probe.add_argument("--password-secret", default="admin_password", metavar="NAME",
                       help="with --host: the secret holding USER's password (default "
                       "admin_password; $CAMLINK_SECRET_<NAME> works too)")
    probe.add_argument("--format", choices=("text", "json"), default="text")
    probe.add_argument("--write-profile", metavar="FILE", help="write the corrections "
                       "found as a firmware profile override, for a person to review")
    probe.add_argument("--save-dump", metavar="DIR", help="write each camera's getparam "
                       "reply, secrets blanked, as DIR/<camera>.getparam.txt")

    unlock = _command(sub, "unlock", help="release a site's lock left by an apply that is "
                            "gone (another host, a corrupt lock file)")
    unlock.add_argument("site", metavar="SITE", help="the site's name, as its inventory gives it")
    unlock.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _add_lock_dir_option(unlock)

    emulate = _command(sub, "emulate", help="serve emulated cameras on loopback")
    source = emulate.add_mutually_exclusive_group(required=True)
    source.add_argument("--fleet", metavar="FLEET.yml", help="a fleet file")
    source.add_argument("-i", "--inventory", action="append", metavar="INV",
                        help="build the fleet from an inventory")
    source.add_argument("--from-dump", action="append", metavar="[NAME=]FILE",
                        help="a camera started from a captured getparam.cgi dump (probe "
                        "--save-dump writes one); named NAME, else by its host name; "
                        "repeatable")
    emulate.add_argument("--secrets", metavar="PATH")
    emulate.add_argument("--base-port", type=int, default=18000, metavar="P",
                         help="first port; cameras get P, P+1, ... in file order")
    emulate.add_argument("--state", metavar="DIR", help="keep settings across restarts")
    emulate.add_argument("--latency", type=float, default=0.0, metavar="MS",
                         help="added latency per request, milliseconds")
    emulate.add_argument("--fault", action="append", default=[], metavar="NAME:SPEC",
                         help="start camera NAME with a fault, e.g. ptz1:down, "
                         "spot1:latency=200,jitter=50, ptz2:status=503,rate=0.5; repeatable")
    emulate.add_argument("--overlay", metavar="FILE", help="with -i: write an overlay "
                         "inventory pointing every camera at its emulated port")
    _add_profile_option(emulate)

    completion = _command(sub, "completion", help="print a shell completion script")
    completion.add_argument("shell", choices=COMPLETION_SHELLS)
    return parser


def _command(sub: Any, name: str, *, help: str) -> argparse.ArgumentParser:
    """A sub-command with its description and examples (``ABOUT``) in its --help."""
    description, examples = ABOUT[name]
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=textwrap.fill(description, 88),
        epilog="examples:\n" + "\n".join(f"  {line}" for line in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def run_completion(args: argparse.Namespace) -> int:
    import shtab  # only this sub-command needs it

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module_name, _, function = HANDLERS[command].partition(":")
    handler: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(module_name), function)
    return handler


def _report_bug(exc: BaseException) -> None:
    log = Path(".camlink") / "crash.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("".join(traceback.format_exception(exc)))
        where = f"the traceback is in {log}"
    except OSError:
        where = "the traceback could not be saved"
    print(f"camlink-provision: internal error ({type(exc).__name__}); {where}. Please file a "
          "bug report with that file and the command you ran.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    netguard.install_if_requested()
    args = build_parser().parse_args(argv)
    # Outside a rollout (which handles signals itself, see apply/stopping.py) SIGTERM and
    # SIGHUP unwind like Ctrl-C: nothing is being written then.
    previous = {signum: signal.signal(signum, _raise_terminated)
                for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with tuned_collector():
            return _handler(args.command)(args)
    except CamlinkError as exc:
        print(f"camlink-provision: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("camlink-provision: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("camlink-provision: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except Exception as exc:  # the last line of defence: a log file, never a secret on screen
        _report_bug(exc)
        return EXIT_BUG
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
