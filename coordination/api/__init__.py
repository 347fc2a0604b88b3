"""REST resources of coordination under /api/v1/ (conventions: config/api/__init__.py)."""
