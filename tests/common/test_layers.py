"""The layers, checked on the whole tree by import-linter (the contracts are in pyproject.toml):
a service never imports another, the gateway reaches the services only through their contracts,
pymongo, bson and gridfs stay in the storage adapters, and no package's modules import each
other in a circle. A pure check: it reads the code, it runs none of it."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = done.stdout[done.stdout.find("Contracts"):]
    assert done.returncode == 0, f"import-linter found a broken layer:\n{report}\n{done.stderr[-3000:]}"
    assert "4 kept, 0 broken" in report, report
