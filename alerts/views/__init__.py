"""Pages of the escalation engine: the queue, alert detail, rules and policies, the
in-app notifications. Reads through alerts.selectors, writes through alerts.services."""
