"""The tree as the build holds it, read and never run (settings in pyproject.toml): the layers,
by import-linter (a service never imports another, the gateway reaches the services only
through their contracts, pymongo, bson and gridfs stay in the storage adapters, no package's
modules import each other in a circle), ruff's lint and format, and mypy over the shared packages."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREE = ["services", "gateway", "dev", "bench", "tests", "cscart_import"]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = done.stdout[done.stdout.find("Contracts") :]
    assert done.returncode == 0, f"import-linter found a broken layer:\n{report}\n{done.stderr[-3000:]}"
    assert "5 kept, 0 broken" in report, report


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", *TREE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"ruff check:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"


def test_the_tree_is_formatted():
    """`ruff format` (the settings in pyproject.toml) leaves every file as it is: a diff reads
    as what changed, never as one person's layout against another's."""
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), "format", "--check", "--no-cache", *TREE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"ruff format --check (run `ruff format` on these):\n{done.stdout[-6000:]}"


def test_mypy_finds_nothing():
    mypy = Path(sys.executable).with_name("mypy")
    done = subprocess.run([str(mypy), "--no-incremental"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"mypy:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
