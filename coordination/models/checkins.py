from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CheckInAnswer(models.TextChoices):
    STILL_ACCURATE = "still_accurate", _("Still accurate")
    CHANGED = "changed", _("Changed")


class CheckIn(models.Model):
    """An assigned government confirming, through one of its liaisons, that it still
    watches a situation and whether the picture still holds. Append-only: the series is
    the record of who kept watch when (coordination/checkins.py writes it and keeps the
    schedule)."""

    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="check_ins")
    government = models.ForeignKey("coordination.Government", on_delete=models.PROTECT, related_name="check_ins")
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins")
    checked_in_at = models.DateTimeField()
    answer = models.CharField(max_length=20, choices=CheckInAnswer.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(answer__in=CheckInAnswer.values), name="checkin_answer_valid"),
            # "Changed" without saying what changed tells the secretariat nothing.
            models.CheckConstraint(condition=~Q(answer=CheckInAnswer.CHANGED) | ~Q(note=""),
                                   name="checkin_changed_has_note"),
        ]
        indexes = [models.Index(fields=["situation", "government", "-checked_in_at"],
                                name="checkin_latest_idx")]

    def __str__(self) -> str:
        return f"{self.government_id} on {self.situation_id}: {self.answer} at {self.checked_in_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("A check-in is never changed; a new one supersedes it.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Check-ins are append-only.")
