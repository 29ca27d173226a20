"""The web front's pure parts (strings, formatters, the safe-HTML copier, the API client, the
module graph) under Node's own test runner: `node --test tests/web/`, here so that `make test`
runs it. Skipped, saying why, where Node.js (18 or later) is not installed."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


def node_major() -> int:
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.match(r"v(\d+)\.", version)
    return int(match[1]) if match else 0


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (apt-get install nodejs): tests/web/ not run")
def test_the_modules_pure_parts_pass_under_node():
    if node_major() < 18:
        pytest.skip("tests/web/ needs Node.js 18 or later (node --test)")
    done = subprocess.run([NODE, "--test", "tests/web/"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    failed = "\n".join(line for line in done.stdout.splitlines() if line.startswith(("not ok", "# fail", "# pass")))
    assert done.returncode == 0, (
        f"node --test tests/web/ failed:\n{failed}\n\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    )
    assert re.search(r"^# pass [1-9]", done.stdout, re.M), done.stdout[-2000:]
