"""Basic and Digest as the camera checks them (contract §1)."""

from __future__ import annotations

import requests
from emu_support import (
    ADMIN,
    Cam,
    basic_header,
    build,
    challenge_nonce,
    digest_header,
    exchange,
)
from requests.auth import HTTPDigestAuth

TARGET = "/cgi-bin/admin/getparam.cgi?system_hostname"


def _nonce(cam: Cam) -> str:
    return challenge_nonce(exchange(cam.port, build("GET", TARGET, cam.port)))


def _with(cam: Cam, authorization: str, target: str = TARGET) -> int:
    return exchange(cam.port, build("GET", target, cam.port, authorization)).status


def test_a_digest_nonce_may_be_reused_with_an_increasing_count(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    nonce = _nonce(spot)
    assert _with(spot, digest_header(*ADMIN, "GET", TARGET, nonce, nc=1)) == 200
    assert _with(spot, digest_header(*ADMIN, "GET", TARGET, nonce, nc=2)) == 200
    assert _with(spot, digest_header(*ADMIN, "GET", TARGET, nonce, nc=7)) == 200


def test_a_replayed_count_is_refused(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    nonce = _nonce(spot)
    header = digest_header(*ADMIN, "GET", TARGET, nonce, nc=3)
    assert _with(spot, header) == 200
    assert _with(spot, header) == 401
    assert _with(spot, digest_header(*ADMIN, "GET", TARGET, nonce, nc=2)) == 401


def test_digest_answers_that_do_not_fit_are_refused(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    nonce = _nonce(spot)
    assert _with(spot, digest_header(*ADMIN, "GET", TARGET, "0" * 32)) == 401  # not ours
    assert _with(spot, digest_header("admin", "nope", "GET", TARGET, nonce)) == 401
    assert _with(spot, digest_header(*ADMIN, "GET", "/other", nonce)) == 401  # other uri
    assert _with(spot, digest_header(*ADMIN, "POST", TARGET, nonce)) == 401  # other method
    assert _with(spot, digest_header("ghost", "x", "GET", TARGET, nonce)) == 401
    assert _with(spot, basic_header(*ADMIN)) == 401  # this camera demands Digest


def test_basic_checks_user_and_password(cams: dict[str, Cam]) -> None:
    ptz = cams["ptz1"]
    assert _with(ptz, basic_header(*ADMIN)) == 200
    assert _with(ptz, basic_header("admin", "admin-pas")) == 401
    assert _with(ptz, "Basic !!notbase64") == 401
    nonce = "0" * 32
    assert _with(ptz, digest_header(*ADMIN, "GET", TARGET, nonce)) == 401  # demands Basic


def test_requests_digest_session_works_across_many_requests(cams: dict[str, Cam]) -> None:
    url = f"http://127.0.0.1:{cams['spot1'].port}{TARGET}"
    with requests.Session() as session:
        session.auth = HTTPDigestAuth(*ADMIN)
        replies = [session.get(url, timeout=5) for _ in range(5)]
    assert [r.status_code for r in replies] == [200] * 5
    assert replies[-1].text == "system_hostname='spot1'\r\n"
