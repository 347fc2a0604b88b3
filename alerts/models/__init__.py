from alerts.models.alert import UNRESOLVED_Q, Alert, AlertEvent, AlertGroup
from alerts.models.delivery import DigestSent, Notification, WebhookEndpoint
from alerts.models.policies import EscalationPolicy, EscalationRule, EscalationStep

__all__ = [
    "UNRESOLVED_Q",
    "Alert",
    "AlertEvent",
    "AlertGroup",
    "DigestSent",
    "EscalationPolicy",
    "EscalationRule",
    "EscalationStep",
    "Notification",
    "WebhookEndpoint",
]
