"""docs/configuration.md, the configuration reference, is written from the code (`make docs`,
dev/configuration_page.py): the page on disk is what the code writes, every setting has its
words, and the default a row shows is the one the code has. The settings' words sit beside
them in services/common/config.py, with the few variables processes read before it loads."""

import re
from dataclasses import fields
from pathlib import Path

from dev import configuration_page
from services.common.config import (
    DEVELOPMENT_CALLER_SIGNING_KEY,
    DEVELOPMENT_JWT_SECRET,
    DEVELOPMENT_REPLY_SIGNING_KEY,
    READ_BEFORE_SETTINGS,
    Settings,
)

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_KEYS = {DEVELOPMENT_JWT_SECRET, DEVELOPMENT_CALLER_SIGNING_KEY, DEVELOPMENT_REPLY_SIGNING_KEY}


def test_the_page_is_what_the_code_writes():
    on_disk = configuration_page.PAGE.read_text(encoding="utf-8")
    assert on_disk == configuration_page.page(), "docs/configuration.md is out of date: run `make docs`"


def test_every_setting_is_documented():
    settings = {setting.name: setting for setting in fields(Settings)}
    grouped = [name for setting in settings.values() for name in setting.metadata.get("also", ())]
    assert not set(grouped) - settings.keys(), f"rows naming no setting: {sorted(set(grouped) - settings.keys())}"
    assert len(grouped) == len(set(grouped)), "a setting named by two rows"
    undocumented = sorted(
        name for name, setting in settings.items() if name not in grouped and not setting.metadata.get("doc")
    )
    assert not undocumented, f"settings without their words (documented() in services/common/config.py): {undocumented}"
    for entry in READ_BEFORE_SETTINGS:
        assert entry.doc and entry.default_doc, entry.names
        assert not set(entry.names) & settings.keys(), f"{entry.names} are settings: document them there"


def test_each_row_shows_the_default_the_code_has():
    defaults = {setting.name: setting.default for setting in fields(Settings)}
    wrong = []
    for row in configuration_page.rows():
        for name in row.names:
            if name not in defaults:
                continue
            value = defaults[name]
            # An empty default is described ("empty", "unset: …"), and so is a secret's
            # built-in development value; any other is quoted as the environment writes it.
            if value == "":
                agrees = row.default_doc.startswith(("empty", "unset"))
            elif value in DEVELOPMENT_KEYS:
                agrees = row.default_doc.startswith("a development key")
            else:
                agrees = configuration_page.quoted(value) in row.default_doc
            if not agrees:
                wrong.append(f"{name}: code {configuration_page.quoted(value)}, page {row.default_doc!r}")
    assert not wrong, "defaults that differ:\n" + "\n".join(wrong)


def test_each_variable_read_before_settings_is_read_with_the_default_shown():
    sources = [
        path.read_text(encoding="utf-8") for folder in ("gateway", "services") for path in (ROOT / folder).rglob("*.py")
    ]
    wrong = []
    for entry in READ_BEFORE_SETTINGS:
        for name in entry.names:
            read = [
                default for text in sources for default in re.findall(rf'environ\.get\("{name}", "([^"]*)"\)', text)
            ]
            if not read:
                wrong.append(f"{name}: no process reads it")
            wrong.extend(
                f"{name}: code `{default}`, page {entry.default_doc!r}"
                for default in read
                if f"`{default}`" not in entry.default_doc
            )
    assert not wrong, "\n".join(wrong)
