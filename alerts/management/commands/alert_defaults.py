from django.core.management.base import BaseCommand

from alerts.defaults import ensure_default_rules


class Command(BaseCommand):
    help = "Create the default escalation policy and rules if they are missing (idempotent)."

    def handle(self, *args, **options):
        policy = ensure_default_rules()
        self.stdout.write(f"Default policy: {policy.name}; {policy.rules.count()} rule(s) use it.")
