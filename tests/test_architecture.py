"""The layers hold: the import-linter contracts of pyproject.toml pass on the package, and a
violation planted in a copy of it is caught (so the check can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), str(config), "--no-cache"],
                          cwd=package_parent, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"})


def test_the_package_keeps_its_layers():
    result = lint(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "studyaws", tmp_path / "studyaws", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("core/planted.py", "import sqlalchemy\n", "The core is pure"),
    ("core/planted.py", "from textual.app import App\n", "The core is pure"),
    ("store/planted.py", "from studyaws.services import review\n", "Layers"),
    ("core/planted.py", "from studyaws.store import engine\n", "Layers"),
    ("tui/planted.py", "from studyaws.store.engine import reading\n", "Screens reach"),
    ("services/planted.py", "import textual\n", "Services and the store"),
])
def test_a_planted_violation_is_caught(copy: Path, module: str, line: str, contract: str):
    (copy / "studyaws" / module).write_text(line)
    result = lint(copy, copy / "pyproject.toml")
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(row.startswith(contract) for row in broken), result.stdout
    assert "planted" in result.stdout
