"""Django admin for staff (docs/DESIGN.md, "Interfaces"). Split along the models' own seams:
situations and partners, indicators and readings, actions. Every write that a service
owns goes through that service; see base.py for how its refusals reach the user."""
from coordination.admin import actions, checkins, indicators, notes, signoffs, situations  # noqa: F401  (registers the ModelAdmins)
