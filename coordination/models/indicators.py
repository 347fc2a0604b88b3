from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.choices import Direction, RiskFactor, ValueKind

# Readings beyond this magnitude are typos or attacks, never observations; the bound
# also keeps NaN and infinity out on PostgreSQL, where NaN sorts above every number.
READING_VALUE_LIMIT = 1e12


def thresholds_in_order() -> Q:
    """Warning comes before critical in the direction of harm, or one of them is unset."""
    return (
        Q(warning_threshold__isnull=True)
        | Q(critical_threshold__isnull=True)
        | Q(direction=Direction.HIGHER_IS_WORSE, critical_threshold__gte=models.F("warning_threshold"))
        | Q(direction=Direction.LOWER_IS_WORSE, critical_threshold__lte=models.F("warning_threshold"))
    )


class Indicator(models.Model):
    code = models.SlugField(max_length=40, unique=True, help_text=_("Stable identifier, e.g. fa-7-4-arms."))
    name = models.CharField(max_length=200)
    framework_ref = models.CharField(
        max_length=10, blank=True, help_text=_("Indicator number in the UN Framework of Analysis, e.g. 7.4.")
    )
    risk_factor = models.PositiveSmallIntegerField(choices=RiskFactor.choices)
    description = models.TextField(blank=True)
    value_kind = models.CharField(max_length=10, choices=ValueKind.choices, default=ValueKind.NUMERIC)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER_IS_WORSE)
    warning_threshold = models.FloatField(null=True, blank=True)
    critical_threshold = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["risk_factor", "code"]
        constraints = [
            models.CheckConstraint(condition=thresholds_in_order(), name="indicator_thresholds_in_order"),
            models.CheckConstraint(condition=Q(risk_factor__gte=1, risk_factor__lte=14), name="indicator_risk_factor_1_14"),
            models.CheckConstraint(condition=Q(value_kind__in=ValueKind.values), name="indicator_value_kind_valid"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="indicator_direction_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def value_is_worse(self, value: float, than: float) -> bool:
        return value > than if self.direction == Direction.HIGHER_IS_WORSE else value < than

    def value_reaches(self, value: float, threshold: float | None) -> bool:
        if threshold is None:
            return False
        return value >= threshold if self.direction == Direction.HIGHER_IS_WORSE else value <= threshold


class TrackedIndicator(models.Model):
    """An indicator watched on one situation, optionally with its own thresholds.

    Readings are accepted only for tracked indicators, so a reading filed against the
    wrong situation is refused instead of raising a false alarm.
    """

    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="tracked_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="tracked_on")
    warning_threshold = models.FloatField(null=True, blank=True, help_text=_("Overrides the indicator's, if set."))
    critical_threshold = models.FloatField(null=True, blank=True, help_text=_("Overrides the indicator's, if set."))

    class Meta:
        ordering = ["situation_id", "indicator__risk_factor", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "indicator"], name="indicator_tracked_once_per_situation"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} on situation {self.situation_id}"

    @property
    def effective_warning(self) -> float | None:
        return self.warning_threshold if self.warning_threshold is not None else self.indicator.warning_threshold

    @property
    def effective_critical(self) -> float | None:
        return self.critical_threshold if self.critical_threshold is not None else self.indicator.critical_threshold


class IndicatorReading(models.Model):
    """Append-only: a correction is a new reading that supersedes an earlier one."""

    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="readings")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="readings")
    value = models.FloatField()
    observed_at = models.DateTimeField()
    source = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="readings_recorded"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    client_id = models.UUIDField(
        null=True, blank=True, unique=True, help_text=_("Sender's id for the reading: resending it creates nothing new.")
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # Whose assessment this is: a partner government's, or (null) the secretariat's own.
    # Only partners' assessments are compared for divergence (coordination/assessments.py).
    assessing_government = models.ForeignKey(
        "coordination.Government", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments",
        help_text=_("The partner government whose assessment this is; empty: the secretariat's own reading."))

    class Meta:
        ordering = ["-observed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=-READING_VALUE_LIMIT, value__lte=READING_VALUE_LIMIT),
                name="reading_value_finite_and_bounded",
            ),
        ]
        indexes = [
            models.Index(fields=["situation", "indicator", "-observed_at"], name="reading_series_idx"),
            # Each partner's latest assessment of each indicator (the divergence trigger).
            models.Index(fields=["situation", "indicator", "assessing_government", "-observed_at"],
                         condition=Q(assessing_government__isnull=False), name="reading_assessment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value} at {self.observed_at:%Y-%m-%d}"
