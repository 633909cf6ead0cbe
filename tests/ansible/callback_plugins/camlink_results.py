"""A callback for the tests only: every task result, per host, appended as one JSON line to
``$CAMLINK_RESULTS_DIR/<host>.jsonl`` (Ansible's stdout is for people; tests read this)."""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: camlink_results
type: aggregate
short_description: task results per host as JSON lines, for camlink-provision's tests
description: Appends each task result to $CAMLINK_RESULTS_DIR/<host>.jsonl.
"""


class CallbackModule(CallbackBase):  # type: ignore[misc]
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "camlink_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result: Any, status: str) -> None:
        data = getattr(result, "result", None)
        if data is None:
            data = result._result  # ansible-core before 2.19
        line = {"task": result.task_name, "status": status, "result": dict(data)}
        path = os.path.join(os.environ["CAMLINK_RESULTS_DIR"], f"{result.host.get_name()}.jsonl")
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, default=str) + "\n")

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, "skipped")
