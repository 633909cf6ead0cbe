"""Plans built straight from the model's dataclasses: the views' test inputs.

``MARKER`` is a stand-in secret: it sits in a sensitive attribute's before and after, and no
view may ever show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from camlink_provision import order
from camlink_provision.firmware.commands import AddPreset, Move, SetParams
from camlink_provision.model import (
    SENSITIVE,
    AttributeChange,
    CameraPlan,
    Change,
    Plan,
    Unmanaged,
)

MARKER = "s3cret-MARKER-4711"
FINGERPRINT = "sha256:" + "ab" * 32

Golden = Callable[[str, str], None]  # the ``golden`` fixture: check(file name, actual text)


def ordered(plan: Plan) -> Plan:
    """A hand-built plan as the planner finishes one: phases given, steps derived."""
    held = order.held_cameras(plan.cameras)
    cameras = tuple(replace(cam, changes=order.order_changes(cam.changes,
                                                             late=cam.camera in held))
                    for cam in plan.cameras)
    return replace(plan, cameras=cameras, steps=order.steps_of(cameras))


def create_preset() -> Change:
    return Change(
        camera="ptz-north", kind="preset", name="gate", action="create", slot=3,
        attributes=(AttributeChange("pan", None, 120), AttributeChange("tilt", None, -10)),
        ops=(Move(120, -10, 1),
             AddPreset("gate", 3)),
        reason="new in inventory")


def update_peer(password: AttributeChange) -> Change:
    return Change(
        camera="spotter-gate", kind="peer", name="ptz-north", action="update", slot=1,
        attributes=(AttributeChange("address", "192.0.2.5:80", "192.0.2.6:8080"),
                    AttributeChange("username", "camlink", "link-operator"), password),
        ops=(SetParams({"cameralink_i1_ipaddress": "192.0.2.6", "cameralink_i1_port": 8080,
                             "cameralink_i1_username": "link-operator",
                             "cameralink_i1_passwd": SENSITIVE},
                secrets={"cameralink_i1_passwd": "ptz-north"}),),
        reason="drift; link test refused", depends_on=("ptz-north",))


def delete_event() -> Change:
    return Change(
        camera="spotter-gate", kind="event", name="old-alarm", action="delete", slot=2,
        attributes=(AttributeChange("enabled", "yes", None),),
        ops=(SetParams({"event_i2_enable": 0}),), reason="state: absent")


def small_plan(password: AttributeChange | None = None) -> Plan:
    """Every feature once: create, update (with a sensitive attribute), delete, unmanaged,
    a warning, a failed camera and two links (one changed)."""
    password = password or AttributeChange("password", MARKER, MARKER + "-new", sensitive=True)
    return ordered(Plan(
        site="construction-site",
        cameras=(
            CameraPlan("ptz-north", "ptz", "SD9364-EHL", "2.2103.34.01d", FINGERPRINT,
                       changes=(create_preset(),),
                       unmanaged=(Unmanaged("ptz-north", "tracking_rule", "old rule", None),)),
            CameraPlan("ptz-south", "ptz", "SD9364-EHL", "2.2103.34.01d", FINGERPRINT),
            CameraPlan("ptz-east", "ptz", "SD9364-EHL", error="connection refused",
                       error_kind="unreachable"),
            CameraPlan("spotter-gate", "spotter", "IB9387-EHT", "2.2103.12.01", FINGERPRINT,
                       changes=(update_peer(password), delete_event()),
                       unmanaged=(Unmanaged("spotter-gate", "event", "legacy", 5),),
                       warnings=("event gate-open has no schedule; it fires all day",)),
        ),
        links=(
            {"link": "gate-watch", "spotter": "spotter-gate", "event": "gate-open",
             "ptz": "ptz-north", "preset": "gate", "track_rule": None, "do": None,
             "changed": True, "status": "changed"},
            {"link": "gate-watch", "spotter": "spotter-gate", "event": "gate-open",
             "ptz": "ptz-east", "preset": None, "track_rule": "intruder", "do": 5,
             "changed": False, "status": "unchanged"},
        ),
    ))


def json_native_plan() -> Plan:
    """``small_plan`` as a planner would make it: JSON-native values, secrets already masked,
    so that it survives a trip through a plan file unchanged."""
    return small_plan(AttributeChange("password", SENSITIVE, SENSITIVE, sensitive=True))


def empty_plan() -> Plan:
    return ordered(Plan(site="quiet-site", cameras=(
        CameraPlan("ptz-1", "ptz", "SD9364-EHL", "2.2103.34.01d", FINGERPRINT),
        CameraPlan("spotter-1", "spotter", "IB9387-EHT", "2.2103.12.01", FINGERPRINT))))


# Every character that means something to markdown, mermaid, HTML or a terminal.
HOSTILE = 'a|b"c`d[e]f<g>h&i#j;k\nl\u202em{n}(o)%%p @team *x* _y_ ~z~ ```\\'


def hostile_plan() -> Plan:
    """Names, values, reasons and warnings that try to break out of every view."""
    change = Change(HOSTILE, "event", HOSTILE, "update", 1,
                    (AttributeChange(HOSTILE, HOSTILE, [HOSTILE, {"k": HOSTILE}]),), (),
                    reason=HOSTILE)
    return ordered(Plan(
        site=HOSTILE,
        cameras=(CameraPlan(HOSTILE, "spotter", "IB9387-EHT", "2.2103.12.01", FINGERPRINT,
                            changes=(change,), unmanaged=(Unmanaged(HOSTILE, "event", HOSTILE, 2),),
                            warnings=(HOSTILE,)),
                 CameraPlan("ptz-1", "ptz", error=HOSTILE, error_kind="protocol")),
        links=({"link": HOSTILE, "spotter": HOSTILE, "event": HOSTILE, "ptz": "ptz-1",
                "preset": HOSTILE, "track_rule": None, "do": None, "changed": True,
                "status": "changed"},)))
