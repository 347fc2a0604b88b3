"""The layers between apps hold (.importlinter, docs/DESIGN.md "Layers"), and the
contracts would catch an arrow pointing the wrong way."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("core", "accounts", "coordination", "alerts", "demo", "config", "bench", "testkit", "tools", "tests")


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", ".importlinter", "--no-cache", "--no-logo"], cwd=where,
                          capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})


@pytest.fixture
def copy_of_the_tree(tmp_path):
    for name in PACKAGES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_tree_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def lint_with_shortcut(tree: Path, module: str, statement: str) -> subprocess.CompletedProcess:
    """lint-imports on the copy of the tree after someone added `statement` to `module`."""
    path = tree / module
    path.write_text(path.read_text() + f"\n\ndef _shortcut():\n    {statement}  # noqa\n")
    return lint(tree)


def test_coordination_importing_alerts_is_refused(copy_of_the_tree):
    result = lint_with_shortcut(copy_of_the_tree, "coordination/outbox.py", "from alerts import dispatch")
    assert result.returncode == 1
    assert "coordination is not allowed to import alerts" in result.stdout
    assert "coordination.outbox -> alerts.dispatch" in result.stdout


def test_a_cycle_inside_alerts_is_refused(copy_of_the_tree):
    # The one publisher importing the tasks it wakes would close the old circle again.
    result = lint_with_shortcut(copy_of_the_tree, "alerts/dispatch.py", "from alerts import tasks")
    assert result.returncode == 1
    assert "alerts.dispatch -> alerts.tasks" in result.stdout


def test_a_cycle_inside_the_lifecycle_is_refused(copy_of_the_tree):
    # The clock comes before what people do: people escalate by hand through it.
    result = lint_with_shortcut(copy_of_the_tree, "alerts/lifecycle/clock.py", "from alerts.lifecycle import people")
    assert result.returncode == 1
    assert "No cycles are allowed in alerts.lifecycle." in result.stdout
