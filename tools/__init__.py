"""Programs run by hand, by bin/ or by CI: scripts, not tests (pytest collects tests/ only)."""
