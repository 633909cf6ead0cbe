"""A whole verify run: ``verify_site(site, names) -> VerifyReport``.

Concurrency: one client per camera (one request in flight per camera); the spotters are read
first, at once; the pairs of one PTZ run in order on one worker (they move the same camera);
different PTZ cameras run at once. The end-to-end phase, when a firer is given, runs after
all of them, one firing at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from camlink_provision.errors import CameraError
from camlink_provision.inventory.model import Site
from camlink_provision.plan import ClientFactory, default_client
from camlink_provision.runner import DEFAULT_CONCURRENCY, run_each
from camlink_provision.verify.context import Clients, Pair, Run, SpotterFacts, pairs_of
from camlink_provision.verify.end_to_end import EndToEnd, Firer
from camlink_provision.verify.pair import PairCheck
from camlink_provision.verify.ptz import DEFAULT_SETTLE_SECONDS, DEFAULT_TOLERANCE
from camlink_provision.verify.report import LinkResult, VerifyReport


def verify_site(site: Site, names: Sequence[str], *, concurrency: int = DEFAULT_CONCURRENCY,
                client_factory: ClientFactory | None = None, firer: Firer | None = None,
                tolerance: int = DEFAULT_TOLERANCE,
                settle: float = DEFAULT_SETTLE_SECONDS,
                read_only: bool = False) -> VerifyReport:
    """Check every link touching the selected cameras; one LinkResult per (link, target).

    ``firer``: fire each event's trigger too and check its effects (end to end).
    ``settle``: seconds to wait for a PTZ to reach a preset (0 for an emulated fleet, which
    moves at once). ``client_factory``: the planner's, ``plan.default_client`` when None.
    ``read_only``: only the checks that change nothing on any camera (stored settings, the
    spotter's plain link test); the others are reported skipped. Not with ``firer``.
    """
    if read_only and firer is not None:
        raise ValueError("verify: read-only cannot fire events end to end")
    pairs = pairs_of(site, names)
    clients = Clients(site, client_factory or default_client)
    run = Run(site, clients, tolerance, settle, read_only)
    try:
        spotters = list(dict.fromkeys(pair.link.spotter for pair in pairs))
        if spotters:
            read_spotters(run, spotters, concurrency)
        results = run_pairs(run, pairs, concurrency)
        if firer is not None:
            EndToEnd(run, firer).check(results)
    finally:
        clients.close()
    return VerifyReport(site.name, tuple(results[pair] for pair in pairs), firer is not None,
                        read_only)


def read_spotters(run: Run, names: Sequence[str], concurrency: int) -> None:
    def one(name: str) -> SpotterFacts | CameraError:
        try:
            return run.read_spotter(name)
        except CameraError as exc:
            return exc

    facts = run_each(names, one, concurrency=concurrency, name="verify-spotter")
    run.spotters.update(zip(names, facts, strict=True))


def by_ptz(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[pair.ptz].append(pair)
    return dict(groups)


def check_ptz_pairs(run: Run, pairs: Sequence[Pair]) -> list[tuple[Pair, LinkResult]]:
    """The pairs of one PTZ, in order: they move the same camera."""
    return [(pair, PairCheck(run, pair).run_checks()) for pair in pairs]


def run_pairs(run: Run, pairs: Sequence[Pair], concurrency: int) -> dict[Pair, LinkResult]:
    groups = list(by_ptz(pairs).values())
    done = run_each(groups, lambda group: check_ptz_pairs(run, group),
                    concurrency=concurrency, name="verify")
    return {pair: result for group in done for pair, result in group}
