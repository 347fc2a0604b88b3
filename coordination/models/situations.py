from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coordination.choices import Marking, PartnerRole, RiskLevel, SituationOutcome, SituationStatus

government_code_validator = RegexValidator(
    r"^[A-Z]{2,8}$", _("Use an ISO 3166-1 alpha-3 code or an organisation code, in capitals (e.g. XAB, EU).")
)
country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", _("Use a two-letter ISO 3166-1 code in capitals (XA–XZ for fictional countries).")
)


class Government(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", _("State")
        ORGANISATION = "organisation", _("Organisation")

    code = models.CharField(max_length=8, unique=True, validators=[government_code_validator])
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATE)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2,8}$"), name="government_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Situation(models.Model):
    title = models.CharField(max_length=200)
    country_code = models.CharField(max_length=2, validators=[country_code_validator])
    area = models.CharField(max_length=200, blank=True, help_text=_("Region, province or district concerned."))
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=SituationStatus.choices, default=SituationStatus.MONITORING)
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.MODERATE)
    marking = models.CharField(
        max_length=20,
        choices=Marking.choices,
        default=Marking.AMBER,
        help_text=_("TLP 2.0 sharing marking: narrows which partner liaisons may see this situation."),
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_situations",
        help_text=_("The desk officer who answers for this situation."),
    )
    named_liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="named_on_situations",
        help_text=_("For TLP:RED: the only liaisons who may see this situation."),
    )
    # Set by coordination/closing.py only, all at once: what became of the situation.
    outcome = models.CharField(max_length=30, choices=SituationOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from",
        help_text=_("The situation this one now lives on in (outcome: merged)."),
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="closed_situations",
    )
    # Set by situation_reopen: the check-in clocks start again from here (coordination/checkins.py).
    reopened_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every write; guards concurrent edits."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A reopening's reason is the person's own words, longer than the default 100 characters.
    history = HistoricalRecords(m2m_fields=[named_liaisons], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(country_code__regex=r"^[A-Z]{2}$"), name="situation_country_code_format"),
            models.CheckConstraint(condition=Q(status__in=SituationStatus.values), name="situation_status_valid"),
            models.CheckConstraint(condition=Q(risk_level__in=RiskLevel.values), name="situation_risk_level_valid"),
            models.CheckConstraint(condition=Q(marking__in=Marking.values), name="situation_marking_valid"),
            models.CheckConstraint(
                condition=(Q(status=SituationStatus.CLOSED) & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(status=SituationStatus.CLOSED) & Q(outcome="", outcome_note="", closed_at__isnull=True,
                                                          closed_by__isnull=True, merged_into__isnull=True)),
                name="situation_closed_iff_outcome",
                violation_error_message=_("A closed situation has an outcome and a closing time; an open one has "
                                          "neither."),
            ),
            models.CheckConstraint(condition=Q(outcome__in=["", *SituationOutcome.values]),
                                   name="situation_outcome_valid"),
            models.CheckConstraint(
                condition=(Q(outcome=SituationOutcome.MERGED) & Q(merged_into__isnull=False))
                | (~Q(outcome=SituationOutcome.MERGED) & Q(merged_into__isnull=True)),
                name="situation_merged_iff_merged_into",
                violation_error_message=_("A merged situation names the situation it was merged into, and only a "
                                          "merged one does."),
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="situation_not_merged_into_itself"),
        ]
        indexes = [models.Index(fields=["status", "risk_level"], name="situation_status_risk_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.country_code})"

    @property
    def is_closed(self) -> bool:
        return self.status == SituationStatus.CLOSED

    @property
    def tlp(self) -> str:
        """Its marking as the official TLP 2.0 label, e.g. "TLP:RED"."""
        return Marking.tlp(self.marking)


class PartnerAssignment(models.Model):
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="assignments")
    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=20, choices=PartnerRole.choices, default=PartnerRole.SUPPORT)
    # A government's desk may be several people: each speaks for it on this situation
    # and receives what its liaisons are sent. Only liaisons of this government
    # (coordination.services.assignment_create/update).
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="liaison_assignments",
        help_text=_("The liaisons who speak for this government on this situation."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When this government's next check-in on the situation falls due: derived, written
    # only by coordination/checkins.py (reschedule), indexed so the minute scan reads
    # only what has just fallen due. Not history: it moves with every check-in.
    checkin_due_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[liaisons], excluded_fields=["checkin_due_at"])

    class Meta:
        ordering = ["situation_id", "government__name"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "government"], name="one_assignment_per_government"),
            models.CheckConstraint(condition=Q(role__in=PartnerRole.values), name="assignment_role_valid"),
        ]
        indexes = [models.Index(fields=["government", "situation"], name="assignment_gov_situation_idx"),
                   models.Index(fields=["checkin_due_at"], condition=Q(checkin_due_at__isnull=False),
                                name="assignment_checkin_due_idx")]

    def __str__(self) -> str:
        return f"{self.government.code} · {self.get_role_display()} on {self.situation_id}"
