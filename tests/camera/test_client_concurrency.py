"""One request in flight per client, whatever the number of threads calling it."""

from __future__ import annotations

import threading

from camera_fakes import always, fake_camera
from camera_support import ADMIN_PASSWORD

from camlink_provision.camera import CameraClient
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret

THREADS = 6


def _hammer(client: CameraClient) -> list[dict[str, str]]:
    results: list[dict[str, str]] = []
    gate = threading.Barrier(THREADS)

    def call() -> None:
        gate.wait()  # all threads call at the same moment
        results.append(client.getparam([fw.HOSTNAME]))

    workers = [threading.Thread(target=call) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_one_request_in_flight_per_client() -> None:
    # The fake holds each request a moment: without the client's lock they would overlap.
    with fake_camera(always(b"system_hostname='busy'\r\n"), hold=0.05) as (port, seen):
        client = CameraClient("busy", Connection("127.0.0.1", port, auth="basic", timeout=5),
                              Credentials("admin", Secret(ADMIN_PASSWORD)))
        results = _hammer(client)
        client.close()
    assert results == [{fw.HOSTNAME: "busy"}] * THREADS
    assert len(seen.requests) == THREADS == client.requests_sent
    assert seen.max_in_flight == 1
