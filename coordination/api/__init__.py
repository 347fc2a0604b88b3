"""REST resources of coordination under /api/v1/ (conventions: core/api/__init__.py)."""
