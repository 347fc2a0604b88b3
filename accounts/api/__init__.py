"""Accounts resources: who am I, and my API tokens (conventions: config/api/__init__.py)."""
