"""docs/configuration.md, the configuration reference, against the code: every setting the
Settings class holds has its row, with its default, and every row names a setting the code
reads (the Settings class, or the few the processes read from the environment before it
loads: gunicorn's workers, the log's level and format)."""

import re
from dataclasses import MISSING, fields
from pathlib import Path

from services.common.config import Settings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
READ_BEFORE_SETTINGS = {"GATEWAY_WORKERS", "GATEWAY_THREADS", "LOG_LEVEL", "LOG_FORMAT"}


def rows() -> dict[str, str]:
    """Each variable the table names, with its row."""
    named = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 3:
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
                named[name] = line
    return named


def test_every_setting_has_its_row_and_every_row_a_setting():
    named = rows()
    settings = {field.name for field in fields(Settings)}
    assert not settings - named.keys(), f"settings the page does not describe: {sorted(settings - named.keys())}"
    unknown = named.keys() - settings - READ_BEFORE_SETTINGS
    assert not unknown, f"rows for settings the code does not read: {sorted(unknown)}"


def test_each_row_gives_the_default_the_code_has():
    named = rows()
    wrong = []
    for field in fields(Settings):
        if field.default is MISSING or field.name not in named:
            continue
        default = field.default
        shown = {True: "true", False: "false"}.get(default, default) if isinstance(default, bool) else default
        if isinstance(shown, float) and shown.is_integer():
            shown = int(shown)
        last = named[field.name].rstrip(" |").rsplit(" | ", 1)[-1]
        # A row says its default in its last cell; a long or empty one ("empty", "unset: …")
        # is described rather than quoted, and so is a secret's built-in development value.
        if str(shown) and len(str(shown)) <= 40 and "DEVELOPMENT" not in str(shown) and str(shown) not in last:
            wrong.append(f"{field.name}: code {shown!r}, page {last!r}")
    assert not wrong, "defaults that differ:\n" + "\n".join(wrong)
