from django.db import models


class SituationChange(models.Model):
    """coordination's outbox: "this situation's facts changed and its consumers have not
    caught up yet". Written in the change's own transaction (coordination/outbox.py), so
    it commits with the change or not at all; the escalation engine deletes it when an
    evaluation has seen the change, and its sweep publishes again whatever stays.

    One row per situation: a second change before the first is consumed only moves
    `changed_at`, since one evaluation sees both."""

    situation = models.OneToOneField("coordination.Situation", on_delete=models.CASCADE, primary_key=True,
                                     related_name="+")
    changed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"situation {self.situation_id} changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"
