"""HTTP Basic and Digest (MD5, ``qop="auth"``) as the camera checks them [real].

Digest nonces are the camera's own: 32 hex digits, remembered (the last few hundred) with
the highest nonce count seen, so a client may reuse a nonce for later requests with an
increasing ``nc`` (as requests' ``HTTPDigestAuth`` does) while a replayed one is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable

from camlink_provision.emulator.http import Request
from camlink_provision.emulator.replies import basic_challenge, digest_challenge
from camlink_provision.emulator.spec import AccountSpec, AuthScheme
from camlink_provision.firmware.profile import AUTH_REALM

MAX_NONCES = 256
_DIRECTIVE = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')
_ESCAPED = re.compile(r"\\(.)")


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # MD5: the protocol's hash, not our choice


def parse_directives(text: str) -> dict[str, str]:
    """``a="x", b=y`` -> {"a": "x", "b": "y"} (quoted values unescaped)."""
    out: dict[str, str] = {}
    for match in _DIRECTIVE.finditer(text):
        quoted, bare = match[2], match[3]
        if quoted is None:
            out[match[1].lower()] = bare
        else:  # an escape is rare: the substitution only where there is one
            out[match[1].lower()] = _ESCAPED.sub(r"\1", quoted) if "\\" in quoted else quoted
    return out


def digest_response(username: str, password: str, method: str, uri: str, nonce: str,
                    nc: str, cnonce: str) -> str:
    """The ``response`` of RFC 2617 with ``qop=auth``; shared by the peer-calling client."""
    ha1 = md5_hex(f"{username}:{AUTH_REALM}:{password}")
    ha2 = md5_hex(f"{method}:{uri}")
    return md5_hex(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")


class Authenticator:
    """Checks one camera's requests against its accounts with the scheme it demands."""

    def __init__(self, scheme: AuthScheme,
                 accounts: Callable[[str], AccountSpec | None]) -> None:
        self.scheme = scheme
        self._account = accounts  # looked up on every request: edits take effect at once
        self._nonces: OrderedDict[str, int] = OrderedDict()  # nonce -> highest nc seen

    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value for a 401; a Digest one issues a fresh nonce."""
        if self.scheme == "basic":
            return basic_challenge()
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = 0
        while len(self._nonces) > MAX_NONCES:
            self._nonces.popitem(last=False)
        return digest_challenge(nonce)

    def authenticate(self, request: Request) -> AccountSpec | None:
        """The account the request proves it holds, or None."""
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != self.scheme:
            return None
        if self.scheme == "basic":
            return self._basic(credentials.strip())
        return self._digest(request, parse_directives(credentials))

    def _basic(self, credentials: str) -> AccountSpec | None:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = decoded.partition(":")
        account = self._account(username)
        if not sep or account is None:
            return None
        return account if hmac.compare_digest(account.password.encode(),
                                              password.encode()) else None

    def _digest(self, request: Request, fields: dict[str, str]) -> AccountSpec | None:
        account = self._account(fields.get("username", ""))
        nonce = fields.get("nonce", "")
        if (account is None or fields.get("realm") != AUTH_REALM or nonce not in self._nonces
                or fields.get("qop") != "auth" or fields.get("uri") != request.target
                or fields.get("algorithm", "MD5").upper() != "MD5"):
            return None
        count = self._nonce_count(fields.get("nc", ""))
        if count is None or count <= self._nonces[nonce]:
            return None  # a replay, or a count going backwards
        expected = digest_response(account.username, account.password, request.method,
                                   fields["uri"], nonce, fields["nc"], fields.get("cnonce", ""))
        if not hmac.compare_digest(expected, fields.get("response", "").lower()):
            return None
        self._nonces[nonce] = count
        self._nonces.move_to_end(nonce)
        return account

    @staticmethod
    def _nonce_count(text: str) -> int | None:
        return int(text, 16) if re.fullmatch(r"[0-9a-fA-F]{8}", text) else None
