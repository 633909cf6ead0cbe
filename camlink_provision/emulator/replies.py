"""The firmware's replies, byte for byte [real unless noted in firmware-contract.md].

Every reply carries ``Server``, ``Cache-control`` and ``Pragma`` first and ``Connection:
close`` last, with the firmware's own capitalisation of each header name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from camlink_provision.emulator.http import Reply
from camlink_provision.firmware.profile import AUTH_REALM, INVALID_COMMAND, VCA_ERROR

STANDARD_HEADERS: tuple[tuple[str, str], ...] = (
    ("Server", "Web Server"),
    ("Cache-control", "no-cache"),
    ("Pragma", "no-cache"),
)
TEXT_PLAIN = ("Content-type", "text/plain")
HTML_401 = ("Content-Type", "text/html; charset=ISO-8859-1")
JSON_TYPE = ("Content-type", "application/json")  # [modelled]: the VCA JSON family
HTML_TYPE = ("Content-type", "text/html")
UNAUTHORIZED_PAGE = (b"<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD>\n"
                     b"<BODY><H1>401 Unauthorized</H1>\nAuthorization required.\n"
                     b"</BODY></HTML>\n")


def reply(status: int, content_type: tuple[str, str], body: bytes,
          extra: tuple[tuple[str, str], ...] = ()) -> Reply:
    headers = (*STANDARD_HEADERS, *extra, content_type,
               ("Content-Length", str(len(body))), ("Connection", "close"))
    return Reply(status, headers, body)


def text(body: bytes) -> Reply:
    """A CGI answer: ``200``, ``Content-type: text/plain``."""
    return reply(200, TEXT_PLAIN, body)


def param_lines(pairs: list[tuple[str, str]]) -> bytes:
    """``name='value'\\r\\n`` per pair [real]."""
    return "".join(f"{name}='{value}'\r\n" for name, value in pairs).encode("utf-8")


def invalid_command() -> Reply:
    """Errors hide in a 200: ``ERROR: Invalid command!\\n``, 24 bytes [real]."""
    return text(INVALID_COMMAND)


def basic_challenge() -> str:
    return f'Basic realm="{AUTH_REALM}"'


def digest_challenge(nonce: str) -> str:
    return f'Digest realm="{AUTH_REALM}", nonce="{nonce}", algorithm=MD5, qop="auth"'


def unauthorized(challenge: str) -> Reply:
    return reply(401, HTML_401, UNAUTHORIZED_PAGE, (("WWW-Authenticate", challenge),))


def json_reply(value: Any, status: int = 200) -> Reply:
    body = json.dumps(value, separators=(",", ":")).encode("utf-8")
    return reply(status, JSON_TYPE, body)


def json_error(reason: str, status: int = 400) -> Reply:
    """VCA errors: ``400`` with ``{"Error": "<reason>"}`` [modelled]."""
    return json_reply({VCA_ERROR: reason}, status)


def status_page(status: int) -> Reply:
    """404, 405, 500, 503 and the like: a small HTML page, as the camera's web server sends."""
    title = f"{status} {HTTPStatus(status).phrase}"
    body = f"<HTML><HEAD><TITLE>{title}</TITLE></HEAD>\n<BODY><H1>{title}</H1>\n</BODY></HTML>\n"
    return reply(status, HTML_TYPE, body.encode("latin-1"))


@dataclass(frozen=True)
class Answer:
    """The firmware's answer to one request, and whether it stored settings."""

    reply: Reply
    write: bool = False


INVALID = Answer(invalid_command())
