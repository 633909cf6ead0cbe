"""A verify play: the link checks of ``camlink_provision.verify``, summed up for the recap."""

from __future__ import annotations

from camlink_provision.apply.rollout import Verifier
from camlink_provision.inventory.model import Site
from camlink_provision.plan import ClientFactory
from camlink_provision.verify import VerifyReport, verify_site


def summary(report: VerifyReport) -> str:
    passed = len(report.results) - len(report.failed)
    text = f"{passed} of {len(report.results)} link check(s) passed"
    failures = [f"{r.link} -> {r.ptz}: {r.cause} ({r.failure.detail if r.failure else ''})"
                for r in report.failed]
    return text + ("; " + "; ".join(failures) if failures else "")


def site_verifier(concurrency: int, client_factory: ClientFactory | None = None) -> Verifier:
    def verify(site: Site, names: list[str]) -> tuple[bool, str]:
        report = verify_site(site, names, concurrency=concurrency,
                             client_factory=client_factory)
        return report.ok, summary(report)
    return verify
