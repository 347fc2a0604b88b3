import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coordination.models import IndicatorReading
from testkit.factories import IndicatorFactory, TrackedIndicatorFactory

HEADER = "situation_id,indicator,value,observed_at,source,note\n"


def write_csv(tmp_path, lines: list[str]) -> str:
    path = tmp_path / "readings.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def run(path: str, *options: str, actor: str = "desk") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_readings", path, "--actor", actor, *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def rows(tracked, foreign_situation, indicator):
    TrackedIndicatorFactory(situation=foreign_situation, indicator=indicator)
    s, f = tracked.situation.pk, foreign_situation.pk
    return [
        f"{s},{indicator.code},4,2026-01-01T08:00:00+00:00,Field report,",
        f"{s},{indicator.code},12.5,2026-01-02T08:00:00+02:00,Field report,second week",
        f"{f},{indicator.code},30,2026-01-03T08:00:00Z,UN OHCHR,",
    ]


def test_it_stores_every_row_and_prints_the_counts(tmp_path, rows, desk_officer, situation, foreign_situation):
    out, err = run(write_csv(tmp_path, rows))

    assert "3 rows read, 3 created, 0 already present, 0 failed" in out
    assert err == ""
    assert IndicatorReading.objects.filter(situation=situation).count() == 2
    stored = IndicatorReading.objects.get(situation=foreign_situation)
    assert (stored.value, stored.source, stored.recorded_by) == (30.0, "UN OHCHR", desk_officer)
    assert stored.observed_at == dt.datetime(2026, 1, 3, 8, tzinfo=dt.UTC)
    assert IndicatorReading.objects.get(value=12.5).note == "second week"


def test_importing_the_same_file_again_creates_nothing(tmp_path, rows, desk_officer):
    path = write_csv(tmp_path, rows)
    run(path)

    out, _err = run(path)

    assert "3 rows read, 0 created, 3 already present, 0 failed" in out
    assert IndicatorReading.objects.count() == 3


def test_a_given_client_id_is_kept(tmp_path, tracked, indicator, desk_officer):
    path = tmp_path / "with-ids.csv"
    path.write_text("situation_id,indicator,value,observed_at,source,client_id\n"
                    f"{tracked.situation.pk},{indicator.code},3,2026-01-01T08:00:00Z,Desk,"
                    "0b7c5a52-7f0e-4f7d-9a0e-3d1c2b4a5e6f\n")

    run(str(path))

    assert str(IndicatorReading.objects.get().client_id) == "0b7c5a52-7f0e-4f7d-9a0e-3d1c2b4a5e6f"


@pytest.mark.parametrize(("bad", "field"), [
    ("{s},{code},nan,2026-01-05T08:00:00Z,Field report,", "value"),
    ("{s},{code},seven,2026-01-05T08:00:00Z,Field report,", "value"),
    ("{s},untracked-code,5,2026-01-05T08:00:00Z,Field report,", "indicator"),
    ("{s},{code},5,last tuesday,Field report,", "observed_at"),
    ("{s},{code},5,2026-01-05T08:00:00,Field report,", "observed_at"),
])
def test_a_bad_row_names_its_line_and_field_and_its_batch_stores_nothing(tmp_path, rows, situation, indicator,
                                                                         desk_officer, bad, field):
    IndicatorFactory(code="untracked-code")
    lines = [rows[0], bad.format(s=situation.pk, code=indicator.code), rows[1]]
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_readings", write_csv(tmp_path, lines), "--actor", "desk", stdout=io.StringIO(),
                     stderr=err)

    assert f"line 3: {field}:" in err.getvalue()
    assert not IndicatorReading.objects.filter(situation=situation).exists()


def test_a_row_of_an_unknown_situation_fails_alone(tmp_path, rows, situation, indicator, desk_officer):
    lines = [rows[0], f"999999,{indicator.code},5,2026-01-05T08:00:00Z,Field report,", rows[1]]
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_readings", write_csv(tmp_path, lines), "--actor", "desk", stdout=out, stderr=err)

    assert "line 3: situation_id: No situation with this id." in err.getvalue()
    assert "3 rows read, 2 created, 0 already present, 1 failed" in out.getvalue()
    assert IndicatorReading.objects.filter(situation=situation).count() == 2


def test_a_bad_row_refuses_only_its_own_batch(tmp_path, tracked, indicator, desk_officer):
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    s = tracked.situation.pk
    lines = [f"{s},{indicator.code},{i % 10},{(start + dt.timedelta(hours=i)).isoformat()},Feed," for i in range(1001)]
    lines[1000] = f"{s},{indicator.code},inf,2025-03-01T00:00:00Z,Feed,"
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_readings", write_csv(tmp_path, lines), "--actor", "desk", stdout=out, stderr=err)

    assert "1001 rows read, 1000 created, 0 already present, 1 failed" in out.getvalue()
    assert "line 1002: value: The value must be a finite number" in err.getvalue()
    assert IndicatorReading.objects.count() == 1000


def test_a_dry_run_checks_every_row_and_stores_nothing(tmp_path, rows, desk_officer):
    out, _err = run(write_csv(tmp_path, rows), "--dry-run")

    assert "3 rows read, 3 would be created, 0 already present, 0 failed" in out
    assert not IndicatorReading.objects.exists()


def test_it_reads_standard_input(rows, desk_officer, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(HEADER + "\n".join(rows) + "\n"))

    out, _err = run("-")

    assert "3 created" in out
    assert IndicatorReading.objects.count() == 3


def test_a_liaison_imports_their_governments_assessments_where_it_is_assigned_only(
        tmp_path, rows, liaison, situation, home_government):
    with pytest.raises(CommandError, match="1 rows were refused"):
        _out, err = run(write_csv(tmp_path, rows), actor="liaison")
    # The foreign situation reads as absent, exactly as over the API.
    stored = IndicatorReading.objects.all()
    assert stored.count() == 2 and all(r.situation_id == situation.pk for r in stored)
    assert {r.assessing_government_id for r in stored} == {home_government.pk}


def test_an_unassigned_liaison_imports_nothing(tmp_path, rows):
    from testkit import cast

    cast.user("lonely_liaison")
    with pytest.raises(CommandError, match="3 rows were refused"):
        run(write_csv(tmp_path, rows), actor="lonely-liaison")
    assert not IndicatorReading.objects.exists()


def test_an_unknown_actor_or_a_missing_column_is_refused_before_reading_rows(tmp_path, rows, desk_officer):
    with pytest.raises(CommandError, match="No user named"):
        run(write_csv(tmp_path, rows), actor="nobody")
    bare = tmp_path / "bare.csv"
    bare.write_text("situation_id,value\n1,2\n")
    with pytest.raises(CommandError, match="Missing columns: indicator, observed_at, source"):
        run(str(bare))
