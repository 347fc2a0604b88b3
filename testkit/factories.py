"""Factories for the test world. Every object is built through the model layer with
sensible defaults; tests name only what matters to them."""
import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Role, User
from coordination.choices import ActionKind, ActionStatus, Direction, Marking, PartnerRole, RiskLevel, ValueKind
from coordination.models import (
    Action,
    CheckIn,
    Government,
    Indicator,
    IndicatorReading,
    PartnerAssignment,
    Situation,
    SituationNote,
    TrackedIndicator,
)
from testkit.cast import PASSWORD


class GovernmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Government
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"G{chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}")
    name = factory.LazyAttribute(lambda o: f"Government of {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.DESK_OFFICER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SituationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Situation

    title = factory.Sequence(lambda n: f"Situation {n}")
    country_code = "XA"
    risk_level = RiskLevel.MODERATE
    marking = Marking.AMBER


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAssignment
        skip_postgeneration_save = True

    situation = factory.SubFactory(SituationFactory)
    government = factory.SubFactory(GovernmentFactory)
    role = PartnerRole.SUPPORT

    @factory.post_generation
    def liaisons(obj, create, extracted, **kwargs):
        """`liaisons=[…]`: the government's people who speak for it here."""
        if create and extracted:
            obj.liaisons.set(extracted)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ind-{n}")
    name = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    risk_factor = 8
    value_kind = ValueKind.NUMERIC
    direction = Direction.HIGHER_IS_WORSE
    warning_threshold = 10.0
    critical_threshold = 20.0


class TrackedIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackedIndicator

    situation = factory.SubFactory(SituationFactory)
    indicator = factory.SubFactory(IndicatorFactory)


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorReading

    situation = factory.SubFactory(SituationFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    value = 1.0
    observed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


class SituationNoteFactory(factory.django.DjangoModelFactory):
    """A liaison's note on a situation their government is assigned to, about an indicator."""

    class Meta:
        model = SituationNote

    situation = factory.SubFactory(SituationFactory)
    author = factory.LazyAttribute(lambda o: UserFactory(role=Role.LIAISON, government=GovernmentFactory()))
    government = factory.LazyAttribute(lambda o: o.author.government)
    indicator = factory.SubFactory(IndicatorFactory)
    body = "Our embassy reports new checkpoints."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    situation = factory.SubFactory(SituationFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    kind = ActionKind.DEMARCHE
    owner_government = factory.SubFactory(GovernmentFactory)
    due_date = factory.LazyFunction(lambda: timezone.now().date() + dt.timedelta(days=14))
    status = ActionStatus.PROPOSED
    last_activity_at = factory.LazyFunction(timezone.now)


class CheckInFactory(factory.django.DjangoModelFactory):
    """A check-in row as the service leaves it (tests of lists and the admin; behaviour
    goes through coordination.checkins.check_in)."""

    class Meta:
        model = CheckIn

    situation = factory.SubFactory(SituationFactory)
    government = factory.SubFactory(GovernmentFactory)
    checked_in_by = factory.SubFactory(UserFactory, role=Role.LIAISON,
                                       government=factory.SelfAttribute("..government"))
    checked_in_at = factory.LazyFunction(timezone.now)
    answer = "still_accurate"
