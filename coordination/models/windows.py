import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.choices import RiskWindowKind

MAX_WINDOW_DAYS = 365
MAX_SHIFT_PERCENT = 90
MIN_WAIT_FACTOR, MAX_WAIT_FACTOR = 0.1, 1.0


class RiskWindow(models.Model):
    """Days around a dated triggering factor (an election, a verdict, the anniversary of
    past crimes) when a situation is watched more closely: inside the window its
    thresholds move towards "normal" and escalation waits shorten. The arithmetic is in
    coordination/windows.py; the escalation engine applies it."""

    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="risk_windows")
    kind = models.CharField(max_length=20, choices=RiskWindowKind.choices)
    title = models.CharField(max_length=200)
    event_date = models.DateField(help_text=_("The day of the event itself (UTC)."))
    days_before = models.PositiveSmallIntegerField(help_text=_("The window opens this many days before the event."))
    days_after = models.PositiveSmallIntegerField(help_text=_("It stays open this many days after it."))
    threshold_shift_percent = models.FloatField(
        default=20, help_text=_("Inside the window, thresholds move this far (% of their value) towards normal."))
    wait_factor = models.FloatField(
        default=0.5, help_text=_("Inside the window, escalation waits are multiplied by this."))
    indicators = models.ManyToManyField(
        "coordination.Indicator", blank=True, related_name="risk_windows",
        help_text=_("Indicators on heightened watch; none means every indicator tracked on the situation."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="risk_windows_created")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RiskWindowKind.values), name="risk_window_kind_valid"),
            models.CheckConstraint(condition=Q(days_before__gte=0, days_before__lte=MAX_WINDOW_DAYS),
                                   name="risk_window_days_before_0_365"),
            models.CheckConstraint(condition=Q(days_after__gte=0, days_after__lte=MAX_WINDOW_DAYS),
                                   name="risk_window_days_after_0_365"),
            models.CheckConstraint(
                condition=Q(threshold_shift_percent__gte=0, threshold_shift_percent__lte=MAX_SHIFT_PERCENT),
                name="risk_window_shift_0_90"),
            models.CheckConstraint(condition=Q(wait_factor__gte=MIN_WAIT_FACTOR, wait_factor__lte=MAX_WAIT_FACTOR),
                                   name="risk_window_wait_factor_range"),
        ]
        indexes = [models.Index(fields=["situation", "event_date"], name="risk_window_situation_date_idx"),
                   models.Index(fields=["event_date"], name="risk_window_event_date_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.event_date:%Y-%m-%d})"

    @property
    def starts_on(self) -> dt.date:
        return self.event_date - dt.timedelta(days=self.days_before)

    @property
    def ends_on(self) -> dt.date:
        return self.event_date + dt.timedelta(days=self.days_after)

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def indicator_ids(self) -> frozenset[int]:
        # Read through the prefetch cache when the selector prefetched it.
        return frozenset(indicator.pk for indicator in self.indicators.all())

    def covers(self, indicator_id: int) -> bool:
        ids = self.indicator_ids
        return not ids or indicator_id in ids
