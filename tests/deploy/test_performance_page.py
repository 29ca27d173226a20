"""docs/performance.md's tables are written from the results the benches keep under bench/
(`make docs`, `make bench`: bench/report.py): the page on disk is what the data gives, and every
results file names the commit its figures were measured at."""

import json
import re
from pathlib import Path

from bench import report

RESULTS = sorted(Path(report.BENCH).glob("*results*.json"))


def test_the_page_is_what_the_results_write():
    on_disk = report.PAGE.read_text(encoding="utf-8")
    assert on_disk == report.page(on_disk), "docs/performance.md is out of date: run `make docs`"


def test_every_results_file_names_its_commit():
    assert {"results.json", "import-results.json"} <= {path.name for path in RESULTS}
    for path in RESULTS:
        if path.name == "results-small.json":  # a small run's, git-ignored
            continue
        results = json.loads(path.read_text(encoding="utf-8"))
        for run in results.get("runs", [results]):
            assert re.fullmatch(r"[0-9a-f]{7,40}", run.get("commit", "")), f"{path.name} names no commit"
            assert run.get("date") or results.get("date"), f"{path.name} gives no date"
