"""The package alerts/lifecycle/ is the one place that changes the status and timers of
an escalation (AlertGroup) and of its conditions (Alert) (docs/DESIGN.md, "The alert
lifecycle"). This reads the application's source, so the rule stays true when someone
adds a shortcut elsewhere."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("accounts", "alerts", "coordination", "config", "core", "demo")
LIFECYCLE = ROOT / "alerts" / "lifecycle"
# An escalation's or a condition's state: its status and the timers that go with it.
STATE_FIELDS = {"status", "current_step", "next_escalation_at", "snoozed_until", "acknowledged_at",
                "acknowledged_by", "resolved_at", "resolved_by", "cleared_at", "condition_active", "update_due_at",
                "ack_review_at", "ack_reminded_at", "next_nag_at", "resume_status", "flapping_since"}
ALERT_MODELS = {"Alert", "AlertGroup"}
# How the code names an escalation or a condition.
ALERT_WORDS = ("alert", "group", "condition")
# Other models have a `status` too; in the modules that handle them, this is their name.
OTHER_MODELS_NAMES = {"notification", "locked", "action", "situation", "reading", "instance", "obj"}


def _names_alert(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and any(word in node.id.lower() for word in ALERT_WORDS)


def _through_alerts(node: ast.AST) -> bool:
    """A query chain that starts at Alert or AlertGroup, or goes through a group's conditions."""
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(node, ast.Attribute) and node.attr == "conditions":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id in ALERT_MODELS


def _targets(node: ast.AST):
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)
    else:
        yield node


def writes_of_alert_state(source: str, *, imports_alert: bool) -> list[str]:
    """Each place in `source` that sets an alert's status or timers: an assignment to one
    of those attributes (on an object named like an alert, or, in a module that handles
    Alert, on anything but the other models' usual names), an update()/create() through
    `Alert.objects`, `AlertGroup.objects` or a group's conditions naming one, or a
    setattr() naming one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in (t for group in targets for t in _targets(group)):
                if isinstance(target, ast.Attribute) and target.attr in STATE_FIELDS:
                    base = target.value
                    base_name = base.id if isinstance(base, ast.Name) else ""
                    if _names_alert(base) or (imports_alert and base_name.lower() not in OTHER_MODELS_NAMES):
                        found.append(f"line {node.lineno}: {ast.unparse(target)} = …")
        elif isinstance(node, ast.Call):
            func = node.func
            keywords = {k.arg for k in node.keywords}
            if (isinstance(func, ast.Attribute) and func.attr in ("update", "create", "update_or_create",
                                                                 "get_or_create", "bulk_update")
                    and _through_alerts(func) and keywords & STATE_FIELDS):
                found.append(f"line {node.lineno}: {ast.unparse(func.value)}.{func.attr}({', '.join(sorted(keywords & STATE_FIELDS))}=…)")
            if (isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant) and node.args[1].value in STATE_FIELDS
                    and (imports_alert or _names_alert(node.args[0]))):
                found.append(f"line {node.lineno}: setattr(…, {node.args[1].value!r}, …)")
    return found


def _in_lifecycle(path: Path) -> bool:
    return LIFECYCLE in path.parents


def _lifecycle_modules() -> list[Path]:
    return sorted(LIFECYCLE.rglob("*.py"))


def _app_modules():
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and not _in_lifecycle(path):
                yield path


def test_no_module_but_the_lifecycle_sets_an_alerts_status_or_timers():
    offenders = {}
    for path in _app_modules():
        source = path.read_text()
        writes = writes_of_alert_state(source, imports_alert="Alert" in source)
        if writes:
            offenders[str(path.relative_to(ROOT))] = writes
    assert offenders == {}, "call alerts.lifecycle instead"


def test_only_the_lifecycle_package_is_spared():
    # The package's modules, and nothing else: a module named like it elsewhere, or one
    # next to it, is scanned like any other.
    scanned = set(_app_modules())
    assert _lifecycle_modules() and not scanned & set(_lifecycle_modules())
    assert ROOT / "alerts" / "services.py" in scanned and ROOT / "alerts" / "evaluation.py" in scanned
    for elsewhere in ("alerts/lifecycle.py", "alerts/lifecycle_extra.py", "alerts/views/lifecycle/queue.py",
                      "coordination/lifecycle/people.py"):
        assert not _in_lifecycle(ROOT / elsewhere), elsewhere
    assert _in_lifecycle(ROOT / "alerts/lifecycle/people.py") and _in_lifecycle(ROOT / "alerts/lifecycle/x/y.py")


def test_the_lifecycle_itself_is_seen_writing_them():
    # The scan is not blind: the lifecycle's own writes, in whichever of its modules, are
    # found by it.
    writes = [w for path in _lifecycle_modules()
              for w in writes_of_alert_state(path.read_text(), imports_alert=True)]
    assert any("group.status" in w for w in writes) and any("condition.status" in w for w in writes)
    assert any("next_escalation_at" in w for w in writes)
    assert any("conditions" in w for w in writes), "the bulk update of a group's conditions"


def test_the_scan_catches_each_shortcut_someone_might_take():
    shortcuts = [
        "alert.status = 'resolved'",
        "a.snoozed_until, a.status = None, 'open'",
        "Alert.objects.filter(pk=1).update(status='resolved')",
        "Alert.objects.create(rule=r, status='open')",
        "AlertGroup.objects.filter(situation=s).update(next_escalation_at=None)",
        "group.conditions.filter(status='open').update(status='resolved')",
        "group.snoozed_until = None",
        "setattr(alert, 'next_escalation_at', None)",
    ]
    for line in shortcuts:
        assert writes_of_alert_state(line, imports_alert=True), line
    # …while an action's or a notification's status is theirs to set.
    assert writes_of_alert_state("locked.status = to_status\nnotification.status = 'sent'", imports_alert=True) == []
