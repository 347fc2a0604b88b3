from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 5000


class AppendOnly(Exception):
    pass


class SituationNoteQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Situation notes are append-only.")

    def delete(self):
        raise AppendOnly("Situation notes are append-only.")


class SituationNote(models.Model):
    """A note on a situation's timeline, by staff or an assigned partner's liaison.

    Append-only: what a partner said stays said. A note about one indicator may be a
    reconciliation — the partners' diverging assessments of it have been talked through —
    which clears the divergence condition until someone assesses it again
    (coordination/assessments.py). Written only by coordination/notes.py.
    """

    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="situation_notes")
    # The author's government when a liaison wrote it, kept as it was then.
    government = models.ForeignKey("coordination.Government", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="situation_notes")
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    indicator = models.ForeignKey("coordination.Indicator", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="situation_notes", help_text=_("The indicator the note is about, if one."))
    reconciles = models.BooleanField(
        default=False, help_text=_("The partners' diverging assessments of the indicator were reconciled."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SituationNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(reconciles=False) | Q(indicator__isnull=False),
                                   name="note_reconciles_an_indicator"),
        ]
        indexes = [
            models.Index(fields=["situation", "-created_at"], name="note_timeline_idx"),
            models.Index(fields=["situation", "indicator", "-created_at"], condition=Q(reconciles=True),
                         name="note_reconciliation_idx"),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} on situation {self.situation_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnly("Situation notes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Situation notes are append-only.")
