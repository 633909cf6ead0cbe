"""Live checks of each link, through the cameras themselves: ``verify_site -> VerifyReport``.

Configured is not working: a stale peer password or a preset moved by hand still looks fine
in a parameter dump. For every (link, target PTZ) verify asks the cameras to do the work
and looks at the result. Where things are:

    site.py        verify_site: the run, its phases and its concurrency      start here
    pair.py        PairCheck: the checks of one (link, target), in order, and their causes
    ptz.py         the PTZ side: before / effects / put back, positions in words
    end_to_end.py  Firer (passed in, e.g. by ``commands/verify_cmd.py`` for --emulate),
                   EndToEnd: firing each event's trigger and checking its effects
    context.py     Pair, Clients, Run: reading cameras through ``plan.gather_camera``
    report.py      Cause, Check, LinkResult, VerifyReport: what a run finds

It reuses what ``plan`` has: the client factory, the timeout policy (``plan.with_timeout``)
and the reading and parsing of cameras; when a schedule is active is
``camlink_provision.schedule``. It never imports the emulator.
"""

from camlink_provision.verify.context import Clients, Pair, Run, SpotterFacts, pairs_of
from camlink_provision.verify.end_to_end import Firer, Firing, moment_in
from camlink_provision.verify.pair import PairCheck
from camlink_provision.verify.ptz import DEFAULT_SETTLE_SECONDS, DEFAULT_TOLERANCE
from camlink_provision.verify.report import Cause, Check, LinkResult, VerifyReport
from camlink_provision.verify.site import verify_site

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "DEFAULT_TOLERANCE",
    "Cause",
    "Check",
    "Clients",
    "Firer",
    "Firing",
    "LinkResult",
    "Pair",
    "PairCheck",
    "Run",
    "SpotterFacts",
    "VerifyReport",
    "moment_in",
    "pairs_of",
    "verify_site",
]
