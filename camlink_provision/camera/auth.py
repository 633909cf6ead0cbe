"""Basic or Digest, as the camera asks: a requests auth that answers the camera's challenge.

Why not requests' own ``HTTPBasicAuth`` / ``HTTPDigestAuth``:

- ``auto`` must let the first 401 decide the scheme, and must never send a Basic password
  to a camera that did not ask for Basic (a Digest camera would receive it in clear text);
- ``HTTPDigestAuth`` keeps its nonce per *thread*; a client used from a thread pool would
  pay a fresh challenge on every new thread. Here the digest state belongs to the client,
  which is safe because a client sends one request at a time (its lock).

What it keeps from ``HTTPDigestAuth``: after the first challenge the nonce is reused with an
increasing nonce count, so every later request costs one round trip. A 401 that carries a new
nonce (stale, or the camera rebooted) is answered once more; a 401 to an answer made with the
current nonce is final, and the client reports it as refused credentials.

Except after a repeat: urllib3 repeats a timed-out read with the very same headers, so the
repeat carries a Digest answer (nonce count) the camera may already have accepted from the
late first attempt, and refuses as a replay. A 401 to a request the transport sent more than
once says nothing about the password: it is answered afresh (new nonce count, at most
``MAX_REANSWERS`` times per request), never taken as refused credentials.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.request import parse_http_list, parse_keqv_list

import requests
from requests.auth import AuthBase

from camlink_provision.camera.transport import was_repeated
from camlink_provision.inventory.model import Credentials

Scheme = Literal["basic", "digest"]
AuthMode = Literal["auto", "basic", "digest"]
_SCHEME = re.compile(r"^\s*(\w+)")
MAX_REANSWERS = 2  # answers to 401s of repeated requests, beyond the one challenge answer


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


class CameraAuth(AuthBase):
    """Answers a camera's Basic or Digest challenge with one client's credentials."""

    def __init__(self, credentials: Credentials, mode: AuthMode) -> None:
        self._credentials = credentials
        self._mode = mode
        # A pinned "basic" means the inventory says the camera asks for Basic: send it at once.
        self._scheme: Scheme | None = "basic" if mode == "basic" else None
        self._digest: _DigestChallenge | None = None
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
        other = CameraAuth(credentials, self._mode)
        if self._scheme == "digest" and self._digest is not None:
            other._scheme, other._digest = "digest", self._digest
        return other

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self.refusal = ""
        header = self._authorization(request)
        if header:
            request.headers["Authorization"] = header
        request.hooks["response"].append(self._answer_challenge)  # register_hook, typed
        return request

    def _authorization(self, request: requests.PreparedRequest) -> str | None:
        if self._scheme == "basic":
            return self._basic_header()
        if self._scheme == "digest" and self._digest is not None:
            return self._digest_header(request)
        return None

    def _basic_header(self) -> str:
        pair = f"{self._credentials.username}:{self._credentials.password.reveal()}"
        return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")

    def _digest_header(self, request: requests.PreparedRequest) -> str:
        assert self._digest is not None
        challenge = self._digest
        challenge.count += 1
        user = self._credentials.username
        uri = request.path_url  # exactly what the request line carries
        ha1 = _md5(f"{user}:{challenge.realm}:{self._credentials.password.reveal()}")
        ha2 = _md5(f"{request.method}:{uri}")
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

    # -- the response hook -----------------------------------------------------------------

    def _answer_challenge(self, response: requests.Response,
                          **kwargs: Any) -> requests.Response:
        if response.status_code != 401:
            return response
        header = response.headers.get("WWW-Authenticate", "")
        if not self._accept_challenge(header, response.request, was_repeated(response)):
            return response
        answer = self._resend(response, kwargs)
        for _ in range(MAX_REANSWERS):
            # The answer itself timed out and was repeated, and the repeat was refused: a
            # replay of what the camera took from the late attempt, not a wrong password.
            if answer.status_code != 401 or not was_repeated(answer):
                break
            header = answer.headers.get("WWW-Authenticate", "")
            if not self._accept_challenge(header, answer.request, True):
                break
            answer = self._resend(answer, kwargs)
        return answer

    def _accept_challenge(self, header: str, sent: requests.PreparedRequest,
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
        answered = "Authorization" in sent.headers
        if scheme == "basic":
            # Basic has no nonce: a refused Basic answer will be refused again.
            self._scheme = "basic"
            return not answered or self._scheme_of(sent) != "basic"
        challenge = _parse_digest(header)
        fresh = self._digest is None or challenge.nonce != self._digest.nonce
        self._scheme, self._digest = "digest", challenge
        return not answered or self._scheme_of(sent) != "digest" or fresh or repeated

    @staticmethod
    def _scheme_of(sent: requests.PreparedRequest) -> str:
        return challenged_scheme(sent.headers.get("Authorization", ""))

    def _resend(self, response: requests.Response, kwargs: dict[str, Any]) -> requests.Response:
        """Send the request once more, answering the challenge (as HTTPDigestAuth does)."""
        _ = response.content  # drain, so the connection can go back to the pool
        response.close()
        request = response.request.copy()
        header = self._authorization(request)
        assert header is not None
        request.headers["Authorization"] = header
        # The adapter's send runs no hooks: this answer is not answered again.
        assert response.connection is not None
        answer: requests.Response = response.connection.send(request, **kwargs)
        answer.history.append(response)
        answer.request = request
        return answer
