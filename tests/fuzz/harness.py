"""Schemathesis against /api/schema/, in this process (the WSGI app), as one signed-in
user at a time, over the demo world (issue 7, item 3).

For every operation of the schema, Hypothesis draws cases in both of schemathesis's
generation modes: positive (input the schema allows) and negative (input it forbids).
Path ids are drawn half the time from the rows that exist, and If-Match half of those
times carries the row's real ETag, so updates, transitions and alert actions really run
instead of stopping at 404 or 412. Every case runs in a savepoint rolled back after it,
so each sees the same world and one case's writes cannot excuse another's failure.

Each answer must pass CHECKS:
- not_a_server_error: no 5xx;
- status_code_conformance: the status is one the schema documents for the operation;
- content_type_conformance: the Content-Type is one the schema documents;
- response_schema_conformance: the body validates against the documented schema;
- negative_data_rejection: input the schema forbids is refused (REFUSALS: a 4xx, never
  accepted with 2xx) — except where every rule the case broke is one of CONVENTIONS,
  deliberate behaviours of the API that the schema cannot express; those cases are
  counted apart (Report.waived), never silently.
A failure is recorded with its operation, check and a curl line, and the run goes on, so
one run reports every distinct failure instead of the first."""
from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import Counter

import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# The demo world's users, one of each role (demo/management/commands/demo_data.py).
ROLES = {"desk_officer": "desk", "manager": "manager", "admin": "admin", "liaison": "liaison-xal"}


# Accepted on purpose, so a negative case breaking only these is not a failure:
CONVENTIONS = {
    # ?kind= or ?situation= with nothing after "=": the filter is not applied (django-filter,
    # and what an HTML form sends for an untouched select).
    "empty_filter_is_no_filter": "an empty query value means the filter is not applied",
    # {"note": 12} for a text field: DRF stores the number's text, as the client typed it.
    "number_as_text": "a JSON number sent for a text field is taken as its text",
    # /alerts/10/: a digit string in a path is the integer the route wants.
    "digits_in_path": "a path id made of digits is an integer on the wire",
}


def _convention_of(case, mutation) -> str | None:
    location = mutation.parameter_location.value
    if location == "query":
        # Whatever was drawn ("", {}, []), what went on the wire is "name=" or nothing.
        sent = (case.query or {}).get(mutation.parameter)
        if sent in ("", None, {}, []) or (isinstance(sent, list) and all(item in ("", None) for item in sent)):
            return "empty_filter_is_no_filter"
    if mutation.keywords == ("type",) and mutation.original_value == "string" \
            and mutation.new_value in ("number", "integer"):
        return "number_as_text"
    if location == "path" and mutation.keywords == ("type",) and mutation.original_value == "integer":
        if str((case.path_parameters or {}).get(mutation.parameter, "")).isdigit():
            return "digits_in_path"
    return None


def waived_by_convention(case) -> str | None:
    """The convention(s) a negative case relied on, when every mutation it made is one."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    mutations = list(getattr(data, "mutations", None) or [])
    rules = [_convention_of(case, mutation) for mutation in mutations]
    if not mutations or None in rules:
        return None
    return "+".join(sorted(set(rules)))


def examples_per_mode() -> int:
    return int(os.environ.get("FUZZ_EXAMPLES", "1"))


def fuzz_seed() -> int:
    return int(os.environ.get("FUZZ_SEED", "20141"))


@dataclasses.dataclass
class Report:
    role: str
    cases: int = 0
    by_status: Counter = dataclasses.field(default_factory=Counter)
    by_mode: Counter = dataclasses.field(default_factory=Counter)
    operations: int = 0
    failures: dict = dataclasses.field(default_factory=dict)  # (operation, check, status) -> detail
    skipped: list = dataclasses.field(default_factory=list)  # operation and mode with no case to draw
    waived: Counter = dataclasses.field(default_factory=Counter)  # accepted negative cases, by convention

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.by_status.items()))
        return (f"{self.role}: {self.cases} cases over {self.operations} operations "
                f"({self.by_mode['positive']} positive, {self.by_mode['negative']} negative); "
                f"statuses {statuses}; {len(self.failures)} distinct failures; "
                f"{len(self.skipped)} operation-modes with no case to draw; "
                f"accepted by convention: {dict(self.waived) or 'none'}")


# What counts as refusing forbidden input: schemathesis's list, plus 412 (a stale If-Match
# is refused before the body is read, as HTTP orders preconditions; nothing is changed)
# and 413 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE).
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428", "429", "5xx"]


def load_schema():
    from config.wsgi import application

    config = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})
    return schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


@contextlib.contextmanager
def connections_kept_open():
    """Django closes the database connection at the end of each request when it is not in
    autocommit mode, which inside the test's transaction would end the test's world; the
    test Client keeps it open the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _id_pools() -> dict[str, list[int]]:
    """Existing ids by the first segment after /api/v1/ (and situation_pk)."""
    from alerts.models import Alert, EscalationPolicy, EscalationRule, Notification, WebhookEndpoint
    from coordination.models import Action, Government, Indicator, PartnerAssignment, Situation

    models = {"situations": Situation, "actions": Action, "assignments": PartnerAssignment, "alerts": Alert,
              "alert-rules": EscalationRule, "escalation-policies": EscalationPolicy, "notifications": Notification,
              "webhook-endpoints": WebhookEndpoint, "governments": Government, "indicators": Indicator}
    return {prefix: list(model.objects.order_by("pk").values_list("pk", flat=True)[:40])
            for prefix, model in models.items()}


def _current_etag(resource: str, pk) -> str | None:
    """The ETag a detail read would show (core.api.base.ConditionalWriteMixin)."""
    from coordination.models import Action, Situation

    model, prefix = {"situations": (Situation, "situation"), "actions": (Action, "action")}.get(resource, (None, ""))
    row = model.objects.filter(pk=pk).values("pk", "version").first() if model and isinstance(pk, int) else None
    return f'"{prefix}-{row["pk"]}-v{row["version"]}"' if row else None


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def fuzz_role(schema, *, role: str, username: str) -> Report:
    from accounts.models import User

    user = User.objects.get(username=username)
    report = Report(role=role)
    pools = _id_pools()
    def fresh_token() -> str:
        return AuthToken.objects.create(user=user)[1]

    token = {"value": fresh_token()}

    def run_case(operation, case, use_real_id: int | None, use_real_etag: bool):
        resource = _resource(operation.path)
        for name in list(case.path_parameters or {}):
            pool = pools.get("situations" if name == "situation_pk" else resource, [])
            if use_real_id is not None and pool and name in ("id", "situation_pk"):
                case.path_parameters[name] = pool[use_real_id % len(pool)]
        headers = {"Authorization": f"Token {token['value']}"}
        with transaction.atomic():
            if use_real_etag and case.headers and "If-Match" in case.headers:
                etag = _current_etag(resource, (case.path_parameters or {}).get("id"))
                if etag:
                    case.headers["If-Match"] = etag
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except schemathesis.errors.FailureGroup as group:
                for failure in group.exceptions:
                    waiver = waived_by_convention(case) if failure.code == "ST201" else None
                    if waiver:
                        report.waived[waiver] += 1
                        continue
                    key = (operation.label, type(failure).__name__, response.status_code)
                    report.failures.setdefault(key, f"{failure.title}: {failure.message}\n"
                                                    f"{case.as_curl_command(headers=headers)}")
            transaction.set_rollback(True)
        report.cases += 1
        report.by_status[response.status_code] += 1
        report.by_mode[case.meta.generation.mode.value if case.meta else "positive"] += 1

    with connections_kept_open():
        _explore_all(schema, report, run_case)
    AuthToken.objects.filter(user=user).delete()
    return report


_STRATEGIES: dict = {}


def _strategies(schema):
    """(operation, mode, strategy) for the whole schema, built once: building them costs
    more than drawing a few cases, and every role draws from the same ones."""
    if id(schema) not in _STRATEGIES:
        _STRATEGIES[id(schema)] = [
            (operation, mode, st.tuples(operation.as_strategy(generation_mode=mode),
                                        st.one_of(st.none(), st.integers(min_value=0, max_value=39)), st.booleans()))
            for operation in (result.ok() for result in schema.get_all_operations())
            for mode in MODES
        ]
    return _STRATEGIES[id(schema)]


def _explore_all(schema, report: Report, run_case) -> None:
    report.operations = len({operation.label for operation, _mode, _strategy in _strategies(schema)})
    for operation, mode, strategy in _strategies(schema):

        @seed(fuzz_seed())
        @settings(max_examples=examples_per_mode(), deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(drawn=strategy)
        def explore(drawn):
            case, real_id, real_etag = drawn
            run_case(operation, case, real_id, real_etag)

        try:
            explore()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (e.g. no parameters and no
            # body): schemathesis has no negative case to offer.
            report.skipped.append(f"{operation.label} ({mode.value})")
