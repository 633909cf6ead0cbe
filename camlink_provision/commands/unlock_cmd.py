"""``camlink-provision unlock SITE``: release a site lock whose apply is gone.

    unlock SITE [--lock-dir DIR] [--yes]

As ``terraform force-unlock``: for a lock ``apply`` does not take over by itself — held from
another host, or a lock file that is corrupt. It shows what holds the lock, then asks (on a
terminal; without one only ``--yes`` goes on) and removes exactly the lock it showed: if the
lock changed meanwhile (released, or taken by a new run) it is left alone.

A lock whose holder still runs on this host is never released: that apply is writing to the
site now. Stop it instead (Ctrl-C or SIGTERM; it releases the lock itself).
"""

from __future__ import annotations

import argparse
import socket

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.commands.terminal import CONFIRM_WORD, Terminal, system_terminal
from camlink_provision.errors import ConfirmationRefused, LockError
from camlink_provision.sitelock import inspect_lock, lock_dir, remove_lock


def run_unlock(args: argparse.Namespace) -> int:
    return unlock_command(args, system_terminal())


def unlock_command(args: argparse.Namespace, term: Terminal) -> int:
    site: str = args.site
    seen = inspect_lock(site, lock_dir(args.lock_dir))
    if not seen.locked:
        term.say(f"Site {site!r} is not locked (no lock file {seen.path}).")
        return EXIT_OK
    holder = seen.holder
    if holder is None:
        term.say(f"The lock file of site {site!r} is corrupt ({seen.corrupt}): {seen.path}")
    else:
        gone = holder.gone()
        term.say(f"Site {site!r} is locked by {holder.describe()}" +
                 (f" ({gone})." if gone else "."))
        if holder.host == socket.gethostname() and not gone:
            raise LockError(f"pid {holder.pid} still runs on this host: it is applying to "
                            f"site {site!r} now, so its lock is not released. Stop that run "
                            "(Ctrl-C, or `kill` it: it releases the lock itself)")
    if not _confirmed(args, term, site):
        term.say("Unlock cancelled: the lock stays.")
        return EXIT_ERROR
    if not remove_lock(seen):
        raise LockError(f"the lock of site {site!r} changed while this command ran (released, "
                        f"or taken by a new run): left alone. Run `unlock {site}` again to see "
                        "who holds it now")
    term.say(f"Released the lock of site {site!r} ({seen.path}).")
    return EXIT_OK


def _confirmed(args: argparse.Namespace, term: Terminal, site: str) -> bool:
    if args.yes:
        return True
    if not term.interactive:
        raise ConfirmationRefused(
            "refusing to release the lock without confirmation: standard input is not a "
            "terminal. Make sure no apply of the site is running, then run again with --yes")
    answer = term.ask(f"Release the lock of site {site}? Do so only if no apply of it is "
                      f"running. Only '{CONFIRM_WORD}' goes on: ")
    return answer.strip() == CONFIRM_WORD
