"""Accounts resources: who am I, and my API tokens (conventions: core/api/__init__.py)."""
