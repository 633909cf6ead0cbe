"""An emulated camera whose firmware spells [modelled] names its own way (a profile).

The emulator's behaviour is written in the built-in spellings. A camera given another
profile (``CameraSpec.profile``, say a corrected one, to rehearse a site against it) speaks
that profile's spellings on the wire: its requests are rewritten into built-in names on the
way in, and its replies back on the way out, here, by ``firmware.naming``. The request log
keeps what came over the wire.
"""

from __future__ import annotations

import json
from dataclasses import replace

from camlink_provision.emulator.forms import FormError, Pair, parse_form, parse_query
from camlink_provision.emulator.http import Reply, Request
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming

_PARAMS = frozenset(f"/cgi-bin/{d}/{cgi}" for d in fw.LEVEL_DIRS
                    for cgi in ("getparam.cgi", "setparam.cgi"))
# the built-in path -> the argument table naming translates its arguments by
_ARGS = {fw.LINK_TEST: "link_test", fw.PRESET: "preset", fw.CAMCTRL: "camctrl",
         fw.VCA_TRACKING: "tracking"}


def request_in(naming: Naming, request: Request) -> Request:
    """The request as the built-in firmware would have received it."""
    path = naming.path_in(request.path)
    try:
        query = _pairs_in(naming, path, parse_query(request.query))
        body = request.body
        if path == fw.VCA_TRACKING and body:
            body = _json_in(naming, body)
        elif body and request.method == "POST":
            body = _encode(_pairs_in(naming, path, parse_form(body))).encode("ascii")
    except FormError:
        return replace(request, target=path + _query_part(request.query))
    return replace(request, target=path + _query_part(_encode(query)), body=body)


def reply_out(naming: Naming, path: str, reply: Reply) -> Reply:
    """A reply to the built-in ``path`` as this camera's firmware spells it."""
    if path in _PARAMS or path == fw.LINK_TEST:
        body = _lines_out(naming, path, reply.body)
    elif path == fw.VCA_TRACKING:
        body = _json_out(naming, reply.body)
    else:
        return reply
    if body == reply.body:
        return reply
    headers = tuple((k, str(len(body)) if k == "Content-Length" else v)
                    for k, v in reply.headers)
    return Reply(reply.status, headers, body)


def _query_part(query: str) -> str:
    return f"?{query}" if query else ""


def _pairs_in(naming: Naming, path: str, pairs: list[Pair]) -> list[Pair]:
    if path in _PARAMS:
        return [Pair(naming.param_in(p.name), p.value) for p in pairs]
    cgi = _ARGS.get(path)
    if cgi is None:
        return pairs
    return [Pair(naming.arg_in(cgi, p.name), p.value) for p in pairs]


def _encode(pairs: list[Pair]) -> str:
    return "&".join(p.name if p.value is None else fw.encode_query({p.name: p.value})
                    for p in pairs)


def _json_in(naming: Naming, body: bytes) -> bytes:
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        return body  # the firmware's own check answers it
    return json.dumps(naming.vca_body_in(data), ensure_ascii=False).encode("utf-8")


def _json_out(naming: Naming, body: bytes) -> bytes:
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        return body
    return json.dumps(naming.vca_body_out(data), ensure_ascii=False).encode("utf-8")


def _lines_out(naming: Naming, path: str, body: bytes) -> bytes:
    """``name='value'`` lines with the camera's names (and, for the link test, outcomes)."""
    text = body.decode("utf-8", errors="surrogateescape")
    out: list[str] = []
    for line in text.split("\r\n"):
        name, sep, value = line.partition("='")
        if not sep:
            out.append(line)
        elif path == fw.LINK_TEST:
            word = value.removesuffix("'")
            out.append(f"{naming.arg_out('link_test', name)}='{naming.outcome_out(word)}'")
        else:
            out.append(f"{naming.param_out(name)}='{value}")
    return "\r\n".join(out).encode("utf-8", errors="surrogateescape")
