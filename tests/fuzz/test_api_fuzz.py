"""API fuzzing, short form (CI): every operation of /api/schema/, as each role, over
the demo world; zero 5xx and zero answers outside the schema. The full form is
`bin/fuzz` (README, "Production settings and fuzzing"): the same harness with more
examples. What each case must pass: tests/fuzz/harness.py."""
import pytest
from django.core.management import call_command
from django.db import transaction

from tests.fuzz.harness import ROLES, connections_kept_open, examples_per_mode, fuzz_role, load_schema



@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world with its alerts, loaded once for the module and rolled back after."""
    from alerts import evaluation, periodic
    from coordination.models import Situation

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_data", verbosity=0, stdout=open("/dev/null", "w"))
        for situation_id in Situation.objects.values_list("pk", flat=True):
            evaluation.evaluate_situation(situation_id=situation_id)
        periodic.scan_deadlines()
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def schema(demo_world, django_db_blocker):
    with django_db_blocker.unblock(), connections_kept_open():
        return load_schema()


@pytest.mark.parametrize("role", list(ROLES))
def test_no_generated_request_breaks_the_api(schema, role, db, capsys):
    report = fuzz_role(schema, role=role, username=ROLES[role])
    with capsys.disabled():
        print(f"\n[fuzz] {report.summary()} (FUZZ_EXAMPLES={examples_per_mode()} per mode and operation)")
    assert report.operations >= 60
    assert report.cases >= report.operations
    failures = "\n\n".join(f"{op} · {check} · {status}\n{detail}"
                           for (op, check, status), detail in sorted(report.failures.items()))
    assert not report.failures, failures
