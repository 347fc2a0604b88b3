"""The demo world (`manage.py demo_data`): fictional partners, people of every role,
situations, readings, actions and the default escalation rules. It sits on top of every
app (docs/DESIGN.md, "Layers"), since it fills them all; no app imports it."""
