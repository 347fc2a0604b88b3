"""coordination 0010: the one liaison of each assignment becomes its first of several,
in the assignment and in every past version of its history; going back keeps one."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("coordination", "0009_signoff_requests")]
AFTER = [("coordination", "0010_assignment_liaisons")]


def migrate(targets):
    """Coordination at `targets`; the state read with accounts at its latest, as the
    database has it (accounts.User's government comes from there)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    accounts = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "accounts"]
    return MigrationExecutor(connection).loader.project_state([*targets, *accounts]).apps


@pytest.mark.django_db(transaction=True)
def test_the_single_liaison_is_copied_into_the_liaisons_and_their_history():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Government = old.get_model("coordination", "Government")
    Situation = old.get_model("coordination", "Situation")
    Assignment = old.get_model("coordination", "PartnerAssignment")
    Historical = old.get_model("coordination", "HistoricalPartnerAssignment")
    home = Government.objects.create(code="XMH", name="Migration Home")
    person = User.objects.create(username="mig-liaison", role="liaison", government=home)
    situation = Situation.objects.create(title="Before", country_code="XA")
    with_one = Assignment.objects.create(situation=situation, government=home, liaison=person)
    without = Assignment.objects.create(situation=situation, government=Government.objects.create(
        code="XMN", name="Migration None"))
    Historical.objects.create(id=with_one.pk, situation_id=situation.pk, government_id=home.pk, role="support",
                              liaison_id=person.pk, created_at=timezone.now(), history_date=timezone.now(),
                              history_type="+")
    try:
        new = migrate(AFTER)
        Assignment = new.get_model("coordination", "PartnerAssignment")
        assert [u.username for u in Assignment.objects.get(pk=with_one.pk).liaisons.all()] == ["mig-liaison"]
        assert not Assignment.objects.get(pk=without.pk).liaisons.exists()
        record = new.get_model("coordination", "HistoricalPartnerAssignment").objects.get(id=with_one.pk)
        HistoricalLiaisons = new.get_model("coordination", "HistoricalPartnerAssignment_liaisons")
        assert list(HistoricalLiaisons.objects.filter(history=record).values_list("user_id", flat=True)) == [person.pk]

        back = migrate(BEFORE)
        assert back.get_model("coordination", "PartnerAssignment").objects.get(pk=with_one.pk).liaison_id == person.pk
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
