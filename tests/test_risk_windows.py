"""Risk windows: the arithmetic of coordination/windows.py checked against values worked
out by hand, the days a window is open on (time frozen, not slept), the scan's edges,
and the services that write windows."""
import contextlib
import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from coordination import risk_windows, windows
from coordination.choices import Direction, RiskWindowKind, SituationOutcome
from coordination.closing import situation_close
from testkit.signoffs import signed_off
from coordination.models import RiskWindow, SituationChange
from core.errors import DomainError, NotPermitted
from testkit.factories import IndicatorFactory, SituationFactory, TrackedIndicatorFactory

HIGHER, LOWER = Direction.HIGHER_IS_WORSE, Direction.LOWER_IS_WORSE
ELECTION_DAY = dt.date(2026, 5, 10)


def window(situation, *, event_date=ELECTION_DAY, days_before=3, days_after=2, shift=20.0, factor=0.5,
           indicators=(), kind=RiskWindowKind.ELECTION, title="General election"):
    made = RiskWindow.objects.create(situation=situation, kind=kind, title=title, event_date=event_date,
                                     days_before=days_before, days_after=days_after,
                                     threshold_shift_percent=shift, wait_factor=factor)
    made.indicators.set(indicators)
    return made


def at(day: dt.date, hour=12, minute=0):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.timezone.utc), tick=False)


# --- heightened_threshold: worked by hand ------------------------------------------------

@pytest.mark.parametrize(("threshold", "direction", "shift", "expected"), [
    (10.0, HIGHER, 20, 8.0),        # 10 - 10 * 0.20
    (25.0, HIGHER, 20, 20.0),       # 25 - 5
    (40.0, LOWER, 25, 50.0),        # 40 + 40 * 0.25: lower is worse, so the line rises
    (-10.0, HIGHER, 20, -12.0),     # moves down by |−10| * 0.2 = 2
    (-10.0, LOWER, 20, -8.0),       # moves up by 2
    (0.0, HIGHER, 50, 0.0),         # relative shift: zero stays zero
    (0.0, LOWER, 50, 0.0),
    (10.0, HIGHER, 0, 10.0),        # a window that shifts nothing
    (10.0, HIGHER, 90, 1.0),        # the largest shift allowed
    (3.0, LOWER, 10, 3.3),
])
def test_a_heightened_threshold_moves_towards_normal_by_a_share_of_its_size(threshold, direction, shift, expected):
    assert windows.heightened_threshold(threshold, direction, shift) == pytest.approx(expected)


def test_a_missing_threshold_stays_missing():
    assert windows.heightened_threshold(None, HIGHER, 20) is None
    assert windows.heightened_threshold(None, LOWER, 20) is None


# --- effective_thresholds and wait_factor ------------------------------------------------

@pytest.mark.django_db
def test_the_largest_shift_among_the_windows_covering_the_indicator_applies(situation, tracked):
    # The fixture's indicator: warning 10, critical 25, higher is worse.
    assert windows.effective_thresholds(tracked, []) == (10, 25)
    mild, strong = window(situation, shift=10), window(situation, shift=30, title="Verdict")
    assert windows.effective_thresholds(tracked, [mild]) == pytest.approx((9.0, 22.5))
    assert windows.effective_thresholds(tracked, [mild, strong]) == pytest.approx((7.0, 17.5))


@pytest.mark.django_db
def test_a_window_naming_other_indicators_leaves_this_one_alone(situation, tracked):
    other = TrackedIndicatorFactory(situation=situation, indicator=IndicatorFactory(code="fa-8-7-hate"))
    named = window(situation, shift=50, indicators=[other.indicator])
    assert windows.effective_thresholds(tracked, [named]) == (10, 25)
    assert windows.effective_thresholds(other, [named]) == pytest.approx((5.0, 10.0))


@pytest.mark.django_db
def test_a_lower_is_worse_indicator_with_its_own_thresholds_gets_them_raised(situation):
    access = IndicatorFactory(code="fa-14-access", direction=LOWER, warning_threshold=60, critical_threshold=30)
    tracked = TrackedIndicatorFactory(situation=situation, indicator=access, warning_threshold=50,
                                      critical_threshold=None)
    assert windows.effective_thresholds(tracked, [window(situation, shift=20)]) == pytest.approx((60.0, 36.0))


@pytest.mark.django_db
def test_waits_shrink_by_the_smallest_factor(situation):
    assert windows.wait_factor([]) == 1.0
    assert windows.wait_factor([window(situation, factor=0.5), window(situation, factor=0.25)]) == 0.25


# --- The days a window is open on --------------------------------------------------------

@pytest.mark.django_db
def test_a_window_lowers_the_effective_threshold_inside_it_and_not_outside_it(situation, tracked):
    window(situation, event_date=ELECTION_DAY, days_before=3, days_after=2, shift=20)  # open 7–12 May

    def thresholds_on(day, hour=12, minute=0):
        with at(day, hour, minute):
            return windows.effective_thresholds(tracked, windows.active_windows(situation.pk, windows.today_utc()))

    assert thresholds_on(dt.date(2026, 5, 6), 23, 59) == (10, 25)  # the day before it opens
    assert thresholds_on(dt.date(2026, 5, 7), 0, 0) == pytest.approx((8.0, 20.0))  # its first day
    assert thresholds_on(ELECTION_DAY) == pytest.approx((8.0, 20.0))
    assert thresholds_on(dt.date(2026, 5, 12), 23, 59) == pytest.approx((8.0, 20.0))  # its last day
    assert thresholds_on(dt.date(2026, 5, 13), 0, 0) == (10, 25)  # the day after it ends


@pytest.mark.django_db
def test_only_the_situations_own_open_windows_are_active(situation, foreign_situation, django_assert_num_queries):
    inside = window(situation)
    window(situation, event_date=ELECTION_DAY + dt.timedelta(days=30), title="Run-off")
    window(foreign_situation)
    window(situation, event_date=ELECTION_DAY - dt.timedelta(days=365), days_after=365, title="A year of mourning")
    with django_assert_num_queries(2):  # the windows, then their indicators
        found = windows.active_windows(situation.pk, ELECTION_DAY)
        assert [w.pk for w in found if w.covers(1)]
    assert [w.title for w in found] == ["A year of mourning", inside.title]


@pytest.mark.django_db
def test_the_scan_wakes_situations_whose_window_opens_today_or_closed_yesterday():
    today = dt.date(2026, 5, 10)
    opens_today, closed_yesterday, far_open, far_closed = (SituationFactory() for _ in range(4))
    window(opens_today, event_date=today + dt.timedelta(days=3), days_before=3)
    window(closed_yesterday, event_date=today - dt.timedelta(days=3), days_after=2)
    window(far_open, event_date=today + dt.timedelta(days=365), days_before=365)
    window(far_closed, event_date=today - dt.timedelta(days=366), days_after=365)
    one_day, quiet = SituationFactory(), SituationFactory()
    window(one_day, event_date=today, days_before=0, days_after=0)        # open today only: it opens today
    window(quiet, event_date=today, days_before=1, days_after=0)          # opened yesterday, open today
    window(quiet, event_date=today + dt.timedelta(days=4), days_before=3)  # opens tomorrow
    window(quiet, event_date=today - dt.timedelta(days=3), days_after=3)   # closes tonight
    expected = sorted([opens_today.pk, closed_yesterday.pk, far_open.pk, far_closed.pk, one_day.pk])
    assert windows.situations_with_window_edges(today) == expected


@pytest.mark.django_db
def test_the_scan_finds_nothing_on_a_quiet_day(situation):
    window(situation, event_date=ELECTION_DAY, days_before=3, days_after=2)
    assert windows.situations_with_window_edges(ELECTION_DAY) == []
    assert windows.situations_with_window_edges(dt.date(2026, 5, 7)) == [situation.pk]
    assert windows.situations_with_window_edges(dt.date(2026, 5, 13)) == [situation.pk]


# --- The database keeps the ranges ---------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "constraint"), [
    ({"days_before": 366}, "risk_window_days_before_0_365"),
    ({"days_after": 400}, "risk_window_days_after_0_365"),
    ({"threshold_shift_percent": 90.5}, "risk_window_shift_0_90"),
    ({"threshold_shift_percent": -1}, "risk_window_shift_0_90"),
    ({"wait_factor": 0.05}, "risk_window_wait_factor_range"),
    ({"wait_factor": 1.5}, "risk_window_wait_factor_range"),
    ({"kind": "festival"}, "risk_window_kind_valid"),
])
def test_the_database_refuses_a_window_out_of_range(situation, changes, constraint):
    made = window(situation)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        RiskWindow.objects.filter(pk=made.pk).update(**changes)


# --- The services ----------------------------------------------------------------------------

@contextlib.contextmanager
def refused(field):
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.field == field, (info.value.field, info.value.message)


def create(situation, actor, **kwargs):
    values = {"kind": "election", "title": "General election", "event_date": ELECTION_DAY, "days_before": 7,
              "days_after": 3, **kwargs}
    return risk_windows.risk_window_create(actor=actor, situation=situation, **values)


@pytest.mark.django_db
def test_staff_set_a_window_and_the_engine_is_told(situation, tracked, desk_officer):
    made = create(situation, desk_officer, indicators=[tracked.indicator], threshold_shift_percent=30,
                  wait_factor=0.25)
    assert (made.starts_on, made.ends_on, made.created_by) == (dt.date(2026, 5, 3), dt.date(2026, 5, 13),
                                                               desk_officer)
    assert list(made.indicators.all()) == [tracked.indicator]
    assert SituationChange.objects.filter(situation_id=situation.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "festival"}, "kind"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"event_date": "2026-05-10"}, "event_date"),
    ({"days_before": -1}, "days_before"),
    ({"days_before": 366}, "days_before"),
    ({"days_after": 1.5}, "days_after"),
    ({"days_after": True}, "days_after"),
    ({"threshold_shift_percent": 91}, "threshold_shift_percent"),
    ({"threshold_shift_percent": float("nan")}, "threshold_shift_percent"),
    ({"wait_factor": 0.0}, "wait_factor"),
    ({"wait_factor": 1.01}, "wait_factor"),
])
def test_a_window_out_of_bounds_is_refused_naming_the_field(situation, desk_officer, kwargs, field):
    if field == "title" and len(kwargs["title"]) > 200:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as info:
            create(situation, desk_officer, **kwargs)
        assert "title" in info.value.message_dict
    else:
        with refused(field):
            create(situation, desk_officer, **kwargs)
    assert not RiskWindow.objects.exists()


@pytest.mark.django_db
def test_a_window_may_only_name_indicators_tracked_on_the_situation(situation, tracked, desk_officer):
    stranger = IndicatorFactory(code="fa-9-not-here")
    with refused("indicators") as info:
        create(situation, desk_officer, indicators=[tracked.indicator, stranger])
    assert "fa-9-not-here" in info.value.message


@pytest.mark.django_db
def test_liaisons_may_not_write_windows(situation, liaison, desk_officer):
    with pytest.raises(NotPermitted):
        create(situation, liaison)
    made = create(situation, desk_officer)
    with pytest.raises(NotPermitted):
        risk_windows.risk_window_update(actor=liaison, window=made, days_after=10)
    with pytest.raises(NotPermitted):
        risk_windows.risk_window_delete(actor=liaison, window=made)
    assert RiskWindow.objects.get(pk=made.pk).days_after == 3


@pytest.mark.django_db
def test_updating_and_deleting_a_window_tell_the_engine(situation, tracked, manager):
    made = create(situation, manager)
    SituationChange.objects.all().delete()
    updated = risk_windows.risk_window_update(actor=manager, window=made, days_after=10, indicators=[tracked.indicator])
    assert (updated.ends_on, list(updated.indicators.all())) == (dt.date(2026, 5, 20), [tracked.indicator])
    assert SituationChange.objects.filter(situation_id=situation.pk).exists()
    with refused("days_after"):
        risk_windows.risk_window_update(actor=manager, window=made, days_after=999)
    with refused("situation"):
        risk_windows.risk_window_update(actor=manager, window=made, situation=SituationFactory())
    SituationChange.objects.all().delete()
    risk_windows.risk_window_delete(actor=manager, window=made)
    assert not RiskWindow.objects.exists()
    assert SituationChange.objects.filter(situation_id=situation.pk).exists()


@pytest.mark.django_db
def test_a_closed_situation_takes_no_new_window(situation, desk_officer):
    closed = signed_off(situation_close(actor=desk_officer, situation=situation, outcome=SituationOutcome.RISK_RECEDED))
    with refused("situation"):
        create(closed, desk_officer)



@pytest.mark.django_db
def test_describe_says_what_an_open_window_changes(situation):
    made = window(situation, shift=25, factor=0.5)
    assert windows.describe(made) == ("Election window “General election”, 2026-05-07 – 2026-05-12: "
                                      "thresholds 25 % closer to normal, escalation waits × 0.5.")
