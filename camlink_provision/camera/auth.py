"""Basic or Digest, as the camera asks: ``CameraAuth.exchange`` answers the camera's challenge.

Why not a library's Basic / Digest auth (requests' ``HTTPDigestAuth``, for one):

- ``auto`` must let the first 401 decide the scheme, and must never send a Basic password
  to a camera that did not ask for Basic (a Digest camera would receive it in clear text);
- ``HTTPDigestAuth`` keeps its nonce per *thread*; a client used from a thread pool would
  pay a fresh challenge on every new thread. Here the digest state belongs to the client,
  which is safe because a client sends one request at a time (its lock).

What it keeps from ``HTTPDigestAuth``: after the first challenge the nonce is reused with an
increasing nonce count, so every later request costs one round trip. A 401 that carries a new
nonce (stale, or the camera rebooted) is answered once more; a 401 to an answer made with the
current nonce is final, and the client reports it as refused credentials.

Except after a repeat: the transport repeats a timed-out read with the very same headers,
so the repeat carries a Digest answer (nonce count) the camera may already have accepted
from the late first attempt, and refuses as a replay. A 401 to a request the transport sent
more than once says nothing about the password: it is answered afresh (new nonce count, at
most ``MAX_REANSWERS`` times per request), never taken as refused credentials.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal
from urllib.request import parse_http_list, parse_keqv_list

from camlink_provision.camera.transport import Reply
from camlink_provision.inventory.model import Credentials

Scheme = Literal["basic", "digest"]
AuthMode = Literal["auto", "basic", "digest"]
_SCHEME = re.compile(r"^\s*(\w+)")
MAX_REANSWERS = 2  # answers to 401s of repeated requests, beyond the one challenge answer
# Sends the request once with the given headers (the transport's ``send``, bound).
Send = Callable[[Mapping[str, str]], Reply]


def challenged_scheme(header: str) -> str:
    """The scheme of a WWW-Authenticate header, lower case ('' when there is none)."""
    match = _SCHEME.match(header)
    return match[1].lower() if match else ""


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # the camera's algorithm=MD5


@dataclass
class _DigestChallenge:
    realm: str
    nonce: str
    qop: str  # "auth" or "" (RFC 2069 cameras)
    opaque: str | None
    count: int = 0  # the nonce count of the last answer made with this nonce


def _parse_digest(header: str) -> _DigestChallenge:
    params = re.sub(r"^\s*digest\s+", "", header, flags=re.IGNORECASE)
    fields = parse_keqv_list(parse_http_list(params))
    qops = [q.strip() for q in (fields.get("qop") or "").split(",")]
    return _DigestChallenge(realm=fields.get("realm", ""), nonce=fields.get("nonce", ""),
                            qop="auth" if "auth" in qops else "", opaque=fields.get("opaque"))


class NonceBook:
    """The last Digest challenge each camera gave, shared by the clients of one run.

    A run makes a new client per camera for each stage (plan, then each step of apply);
    with the book, a camera's later clients answer with the nonce it gave the first, so
    their first request costs one round trip, not a challenge and an answer. Nonces are
    not secrets (the camera sends them in clear); no password is kept here. A nonce the
    camera has forgotten is answered by a 401 with a fresh one, answered once as usual.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_camera: dict[str, _DigestChallenge] = {}

    def get(self, camera: str) -> _DigestChallenge | None:
        with self._lock:
            return self._by_camera.get(camera)

    def put(self, camera: str, challenge: _DigestChallenge) -> None:
        with self._lock:
            self._by_camera[camera] = challenge


class CameraAuth:
    """Answers a camera's Basic or Digest challenge with one client's credentials.

    ``book`` and ``camera`` (its base URL): start from the Digest nonce an earlier client of
    the same run got from this camera, and leave new ones there (``NonceBook``)."""

    def __init__(self, credentials: Credentials, mode: AuthMode, *,
                 book: NonceBook | None = None, camera: str = "") -> None:
        self._credentials = credentials
        self._mode = mode
        self._book, self._camera = book, camera
        # A pinned "basic" means the inventory says the camera asks for Basic: send it at once.
        self._scheme: Scheme | None = "basic" if mode == "basic" else None
        self._digest: _DigestChallenge | None = None
        known = book.get(camera) if book is not None and mode != "basic" else None
        if known is not None:  # Digest only: a Basic password is never sent unasked
            self._scheme, self._digest = "digest", known
        self.refusal = ""  # why the last challenge was not answered, for the error message

    def __repr__(self) -> str:
        return f"CameraAuth(user={self._credentials.username!r}, mode={self._mode!r})"

    def for_account(self, credentials: Credentials) -> CameraAuth:
        """Another account's auth on the same camera, answering with this one's Digest
        nonce from its first request: a login check costs one round trip, not two.

        A nonce is the camera's, not an account's (RFC 7616 ties it to no user), and the
        count is shared (the same object), so the camera never sees a count twice. A camera
        that wants a nonce of the account's own answers 401 with a fresh one, which is
        answered as usual. Basic is not carried over: that account's first request goes out
        without credentials, as any first request in ``auto`` mode does."""
        other = CameraAuth(credentials, self._mode, book=self._book, camera=self._camera)
        if self._scheme == "digest" and self._digest is not None:
            other._scheme, other._digest = "digest", self._digest
        return other

    def exchange(self, method: str, target: str, headers: Mapping[str, str],
                 send: Send) -> Reply:
        """Send the request, answering the camera's 401 challenge as the mode allows; the
        last reply, with ``challenges``: how many 401s were answered on the way."""
        self.refusal = ""
        sent = self._with_authorization(method, target, headers)
        reply = send(sent)
        if reply.status != 401:
            return reply
        if not self._accept_challenge(reply.headers.get("WWW-Authenticate", ""), sent,
                                      reply.repeated):
            return reply
        challenges = 1
        sent = self._with_authorization(method, target, headers)
        answer = send(sent)
        for _ in range(MAX_REANSWERS):
            # The answer itself timed out and was repeated, and the repeat was refused: a
            # replay of what the camera took from the late attempt, not a wrong password.
            if answer.status != 401 or not answer.repeated:
                break
            if not self._accept_challenge(answer.headers.get("WWW-Authenticate", ""), sent,
                                          True):
                break
            challenges += 1
            sent = self._with_authorization(method, target, headers)
            answer = send(sent)
        return replace(answer, challenges=challenges)

    def _with_authorization(self, method: str, target: str,
                            headers: Mapping[str, str]) -> dict[str, str]:
        out = dict(headers)
        header = self._authorization(method, target)
        if header:
            out["Authorization"] = header
        return out

    def _authorization(self, method: str, target: str) -> str | None:
        if self._scheme == "basic":
            return self._basic_header()
        if self._scheme == "digest" and self._digest is not None:
            return self._digest_header(method, target)
        return None

    def _basic_header(self) -> str:
        pair = f"{self._credentials.username}:{self._credentials.password.reveal()}"
        return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")

    def _digest_header(self, method: str, uri: str) -> str:
        """``uri``: exactly what the request line carries (path and query)."""
        assert self._digest is not None
        challenge = self._digest
        challenge.count += 1
        user = self._credentials.username
        ha1 = _md5(f"{user}:{challenge.realm}:{self._credentials.password.reveal()}")
        ha2 = _md5(f"{method}:{uri}")
        fields = [f'username="{user}"', f'realm="{challenge.realm}"',
                  f'nonce="{challenge.nonce}"', f'uri="{uri}"', "algorithm=MD5"]
        if challenge.qop:
            nc = f"{challenge.count:08x}"
            cnonce = os.urandom(8).hex()
            digest = _md5(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:auth:{ha2}")
            fields += [f'response="{digest}"', "qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            fields.append(f'response="{_md5(f"{ha1}:{challenge.nonce}:{ha2}")}"')
        if challenge.opaque is not None:
            fields.append(f'opaque="{challenge.opaque}"')
        return "Digest " + ", ".join(fields)

    # -- challenges ----------------------------------------------------------------------

    def _accept_challenge(self, header: str, sent: Mapping[str, str],
                          repeated: bool = False) -> bool:
        """Take the challenge on as the scheme for this and later requests, if it should be.

        ``repeated``: the refused request was sent more than once by the transport, so a
        Digest refusal may be of a replayed nonce count, not of the password."""
        scheme = challenged_scheme(header)
        pinned = self._mode != "auto"
        if scheme not in ("basic", "digest"):
            self.refusal = f"the camera asked for an unsupported scheme {scheme or '(none)'!r}"
            return False
        if pinned and scheme != self._mode:
            self.refusal = (f"the camera asked for {scheme.title()} but the inventory pins "
                            f"{self._mode.title()} authentication")
            return False
        answered = "Authorization" in sent
        if scheme == "basic":
            # Basic has no nonce: a refused Basic answer will be refused again.
            self._scheme = "basic"
            return not answered or self._scheme_of(sent) != "basic"
        challenge = _parse_digest(header)
        fresh = self._digest is None or challenge.nonce != self._digest.nonce
        self._scheme, self._digest = "digest", challenge
        if self._book is not None:
            self._book.put(self._camera, challenge)
        return not answered or self._scheme_of(sent) != "digest" or fresh or repeated

    @staticmethod
    def _scheme_of(sent: Mapping[str, str]) -> str:
        return challenged_scheme(sent.get("Authorization", ""))
