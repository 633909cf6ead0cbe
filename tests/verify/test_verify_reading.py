"""verify reads cameras the way plan does: the planner's client factory with the planner's
timeout policy (``plan.with_timeout``), and ``plan.gather_camera`` without link tests."""

from __future__ import annotations

from dataclasses import replace

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.plan import (
    LINK_TEST_TIMEOUT,
    default_client,
    getparam_names,
    with_timeout,
)
from camlink_provision.verify import Clients, Run, verify_site


def test_one_timeout_policy_a_spotter_waits_for_its_link_tests(site: Site) -> None:
    spotter, ptz = site.cameras["spot1"], site.cameras["ptz1"]
    assert spotter.connection.timeout < LINK_TEST_TIMEOUT  # the inventory's 5 s
    assert with_timeout(spotter).connection.timeout == LINK_TEST_TIMEOUT
    assert with_timeout(ptz) is ptz  # a PTZ runs no link test: the inventory's own
    assert with_timeout(spotter, 0.3).connection.timeout == 0.3  # the caller's, exactly
    slow = replace(spotter, connection=replace(spotter.connection, timeout=30.0))
    assert with_timeout(slow) is slow


def test_verify_makes_its_clients_with_the_factory_and_the_policy(site: Site) -> None:
    made: dict[str, float] = {}

    def factory(camera: Camera) -> CameraClient:
        made[camera.name] = camera.connection.timeout
        return default_client(camera)

    assert verify_site(site, ["spot2"], concurrency=2, client_factory=factory, settle=0.0).ok
    assert made == {"spot2": LINK_TEST_TIMEOUT, "ptz1": site.cameras["ptz1"].connection.timeout}


def test_verify_reads_a_camera_as_plan_gathers_it(site: Site, fleet: Fleet) -> None:
    clients = Clients(site, default_client)
    try:
        fleet.clear_log("ptz1")
        facts = Run(site, clients, 0, 0.0).read_ptz("ptz1")
    finally:
        clients.close()
    assert set(facts.presets) == {"gate", "yard"} and "gate-track" in facts.rules
    log = [e for e in fleet.request_log("ptz1") if e.status != 401]  # not digest challenges
    assert [e.path for e in log] == [profile.GETPARAM, profile.VCA_TRACKING]  # and no more
    assert list(log[0].params) == getparam_names(site.cameras["ptz1"])
