"""A thousand cameras in one process, one loopback port each, answering concurrently."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from emu_support import ADMIN, basic_header, build, exchange

from camlink_provision.emulator import CameraSpec, running_fleet

COUNT = 1000


def test_a_thousand_cameras_answer_at_once() -> None:
    specs = [CameraSpec(f"cam{i:04d}", "SD9384-EHL" if i % 4 == 0 else "IB9389-EHT-v2",
                        address=f"10.1.{i // 250}.{i % 250 + 1}", auth="basic")
             for i in range(COUNT)]
    with running_fleet(specs) as fleet:
        ports = [fleet.port(name) for name in fleet.names()]
        assert len(set(ports)) == COUNT

        def hostname(port: int) -> bytes:
            request = build("GET", "/cgi-bin/admin/getparam.cgi?system_hostname", port,
                            basic_header(*ADMIN))
            return exchange(port, request).body

        with ThreadPoolExecutor(max_workers=32) as pool:
            bodies = list(pool.map(hostname, ports))
    assert bodies == [f"system_hostname='cam{i:04d}'\r\n".encode() for i in range(COUNT)]
