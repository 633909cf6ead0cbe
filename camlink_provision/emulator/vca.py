"""Smart Tracking Advanced rules in VCA JSON [modelled on VIVOTEK's /VCA/ API, contract §7].

``GET`` lists the rules keyed by name; ``POST`` an object of rules creates or replaces each
(all checked first: one bad rule refuses the request); ``DELETE ?RuleName=<name>`` removes
one. Bad input is ``400 {"Error": "<reason>"}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from camlink_provision.emulator import replies
from camlink_provision.emulator.forms import FormError, parse_query
from camlink_provision.emulator.http import Reply
from camlink_provision.firmware import profile as fw

Rule = dict[str, Any]
COMMON_KEYS = {fw.VCA_RULE_NAME, fw.VCA_TYPE, fw.VCA_FIELD, fw.VCA_CONNECT_EVENT}
TYPE_KEYS = fw.RULE_TYPE_KEYS


def rule_problem(key: str, rule: Any) -> str | None:
    """Why one rule object is not acceptable, or None."""
    if not isinstance(rule, dict):
        return f"rule {key!r} is not an object"
    name, kind = rule.get(fw.VCA_RULE_NAME), rule.get(fw.VCA_TYPE)
    if name != key:
        return f"rule {key!r}: RuleName must equal its key"
    if not isinstance(name, str) or not name or fw.NAME_TYPE.check(name):
        return f"rule {key!r}: RuleName must be a name of 1 to 39 characters without quotes"
    if kind not in fw.RULE_TYPES:
        return f"rule {key!r}: Type must be one of {', '.join(fw.RULE_TYPES)}"
    extra = set(rule) - COMMON_KEYS - {TYPE_KEYS[kind]}
    if extra:
        return f"rule {key!r}: unexpected keys for {kind}: {', '.join(sorted(extra))}"
    if not isinstance(rule.get(fw.VCA_CONNECT_EVENT), bool):
        return f"rule {key!r}: ConnectEvent must be true or false"
    return _field_problem(key, kind, rule.get(fw.VCA_FIELD)) or _condition_problem(key, kind, rule)


def _field_problem(key: str, kind: str, field: Any) -> str | None:
    if not isinstance(field, list) or not all(_is_point(p) for p in field):
        return f"rule {key!r}: Field must be a list of [x, y] points in 0..{fw.FIELD_MAX}"
    if kind == "linecrossing" and len(field) != 2:
        return f"rule {key!r}: a line has exactly two points"
    if kind != "linecrossing" and len(field) < 3:
        return f"rule {key!r}: a zone needs at least three points"
    return None


def _is_point(point: Any) -> bool:
    return (isinstance(point, list) and len(point) == 2
            and all(type(v) is int and 0 <= v <= fw.FIELD_MAX for v in point))


def _condition_problem(key: str, kind: str, rule: Rule) -> str | None:
    if kind == "intrusion" and rule.get(fw.VCA_CONDITION) not in fw.RULE_CONDITIONS:
        return f"rule {key!r}: Condition must be one of {', '.join(fw.RULE_CONDITIONS)}"
    if kind == "loitering":
        duration = rule.get(fw.VCA_DURATION)
        if type(duration) is not int or duration < 1:
            return f"rule {key!r}: Duration must be a whole number of seconds, at least 1"
    if kind == "linecrossing" and rule.get(fw.VCA_DIRECTION) not in fw.RULE_DIRECTIONS:
        return f"rule {key!r}: Direction must be one of {', '.join(fw.RULE_DIRECTIONS)}"
    return None


class TrackingRules:
    """The rules of one PTZ camera, by name, in creation order."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self.on_remove: Callable[[str], None] = lambda name: None

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def as_json(self) -> dict[str, Rule]:
        return json.loads(json.dumps(self._rules))  # type: ignore[no-any-return]

    def restore(self, saved: dict[str, Any]) -> None:
        self._rules = {k: v for k, v in saved.items() if rule_problem(k, v) is None}

    def clear(self) -> None:
        for name in list(self._rules):
            self.on_remove(name)
        self._rules.clear()

    def handle(self, method: str, query: str, body: bytes) -> tuple[Reply, bool]:
        """(reply, whether rules changed) for one request on the rules path."""
        if method == "GET":
            return replies.json_reply(self._rules), False
        if method == "POST":
            return self._post(body)
        if method == "DELETE":
            return self._delete(query)
        return replies.json_error("method not allowed", 405), False

    def _post(self, body: bytes) -> tuple[Reply, bool]:
        try:
            wanted = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return replies.json_error("the body is not JSON"), False
        if not isinstance(wanted, dict) or not wanted:
            return replies.json_error("expected an object of rules keyed by name"), False
        for key, rule in wanted.items():
            problem = rule_problem(key, rule)
            if problem:
                return replies.json_error(problem), False
        self._rules.update(wanted)
        return replies.json_reply(self._rules), True

    def _delete(self, query: str) -> tuple[Reply, bool]:
        try:
            args = {p.name: p.value for p in parse_query(query)}
        except FormError:
            return replies.json_error("the query is not UTF-8"), False
        name = args.get(fw.VCA_RULE_NAME)
        if not name or name not in self._rules or len(args) != 1:
            return replies.json_error("no such rule"), False
        del self._rules[name]
        self.on_remove(name)
        return replies.json_reply(self._rules), True
