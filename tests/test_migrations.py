from io import StringIO

from django.core.management import call_command


def test_every_model_change_has_its_migration(db):
    out = StringIO()
    # --check exits non-zero (SystemExit) when a migration is missing; the output names it.
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        raise AssertionError(f"missing migrations:\n{out.getvalue()}") from exit_
