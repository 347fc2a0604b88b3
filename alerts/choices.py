from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    THRESHOLD_CROSSED = "threshold_crossed", _("Indicator crosses its warning or critical threshold")
    RISE_WITHIN_WINDOW = "rise_within_window", _("Indicator worsens by an amount within a window")
    DEADLINE_SOON = "deadline_soon", _("Action due within N days")
    DEADLINE_MISSED = "deadline_missed", _("Action overdue")
    ACTION_STALLED = "action_stalled", _("Action stalled (no update for N days)")
    RISK_RAISED = "risk_raised", _("Situation risk level raised")
    RISK_WINDOW = "risk_window", _("A risk window is open (election, commemoration, verdict…)")
    DIVERGENT_ASSESSMENT = "divergent_assessment", _("Partners' latest assessments of an indicator diverge")
    CHECKIN_MISSED = "checkin_missed", _("An assigned government missed its check-in")


# Triggers whose condition can start to hold with nothing but the clock moving: the
# periodic deadline scan wakes their situations up (alerts/tasks.py, scan_deadlines).
ACTION_TRIGGERS = (Trigger.DEADLINE_SOON, Trigger.DEADLINE_MISSED, Trigger.ACTION_STALLED)


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}


class Scope(models.TextChoices):
    ALL = "all", _("All situations")
    COUNTRY = "country", _("One country")
    SITUATION = "situation", _("One situation")


class StepTarget(models.TextChoices):
    DESK_OFFICERS = "desk_officers", _("The situation's desk officers (lead officer)")
    LIAISONS = "liaisons", _("Liaisons of the assigned governments")
    ACTION_ASSIGNEE = "action_assignee", _("The assignee of the action concerned")
    MANAGERS = "managers", _("Managers")
    USERS = "users", _("Named users")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")
    IN_APP = "in_app", _("In-app")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    JOINED = "joined", _("Condition joined")
    REJOINED = "rejoined", _("Condition returned within its cool-down")
    CLEARED = "cleared", _("Condition cleared")
    SEVERITY_RAISED = "severity_raised", _("Severity raised")
    UPDATED = "updated", _("Update sent")
    FLAPPING = "flapping", _("Flapping")
    RE_OCCURRED = "re_occurred", _("Occurred again")
    ESCALATED = "escalated", _("Escalated")
    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SNOOZED = "snoozed", _("Snoozed")
    SNOOZE_ENDED = "snooze_ended", _("Snooze ended")
    RESOLVED = "resolved", _("Resolved")
    AUTO_RESOLVED = "auto_resolved", _("Resolved automatically (condition cleared)")
    REOPENED = "reopened", _("Reopened")
    REASSIGNED = "reassigned", _("Reassigned")
    NOTE = "note", _("Note")
    ACK_REMINDED = "ack_reminded", _("Reminded: acknowledged without progress")
    UNACKNOWLEDGED = "unacknowledged", _("Acknowledgement lapsed without progress")
    NAGGED = "nagged", _("Reminded: an overdue action or check-in")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERY_DEAD = "delivery_dead", _("Delivery given up")


# Event kinds a webhook endpoint may subscribe to.
WEBHOOK_EVENT_KINDS = (EventKind.OPENED, EventKind.REOPENED, EventKind.ESCALATED, EventKind.RESOLVED,
                       EventKind.AUTO_RESOLVED)


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Refused for good (a 4xx answer, no e-mail address, recipient lost access): no retry.
    FAILED = "failed", _("Failed")
    # Every attempt failed: given up, and the alert's timeline says so.
    DEAD = "dead", _("Dead")
