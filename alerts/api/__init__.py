"""/api/v1/ resources of the escalation engine, declared over core.api.base."""
