"""Pages of the escalation engine: the queue, alert detail, rules and policies, the
in-app notifications. Reads through alerts.selectors, writes through alerts.services."""

# Read by the page header and the coordination pages: the alert parts are shown.
ALERT_PAGES_READY = True
