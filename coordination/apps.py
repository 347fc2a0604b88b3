from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self):
        # Approved sign-offs of situation edits and closings are carried out by
        # coordination's own services (coordination/signoffs.py).
        from coordination import signoff_actions

        signoff_actions.register()
