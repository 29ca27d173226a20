"""Writes docs/configuration.md, the configuration reference, from services/common/config.py:
a row for each setting, or for the settings one row names together, in the order of the
fields, and the rows of the variables read before Settings loads where they say they stand.

    python -m dev.configuration_page        (make docs)
"""

from dataclasses import dataclass, fields
from pathlib import Path

from services.common.config import READ_BEFORE_SETTINGS, Documented, Settings

PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
# The page's heading and the table's head; the rows follow, and nothing after them.
HEAD = "# Configuration\n\n| variable | meaning | default |\n|---|---|---|\n"


@dataclass(frozen=True)
class Row:
    names: tuple[str, ...]
    doc: str
    default_doc: str


def quoted(value: object) -> str:
    """A default as the page shows it: as it is written in the environment."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return "empty" if value == "" else f"`{value}`"


def rows() -> list[Row]:
    settings = fields(Settings)
    # A setting another's row names after its own is declared plainly: that row is its row.
    grouped = {name for setting in settings for name in setting.metadata.get("also", ())}
    following: dict[str, list[Documented]] = {}
    for entry in READ_BEFORE_SETTINGS:
        following.setdefault(entry.after, []).append(entry)
    table = []
    for setting in settings:
        if setting.name in grouped:
            continue
        if not setting.metadata.get("doc"):
            raise ValueError(f"{setting.name} has no doc: declare it with documented() in services/common/config.py")
        names = (setting.name, *setting.metadata["also"])
        defaults = {other.name: other.default for other in settings if other.name in names}
        shown = setting.metadata["default_doc"] or ", ".join(quoted(defaults[name]) for name in names)
        table.append(Row(names, setting.metadata["doc"], shown))
        table.extend(Row(entry.names, entry.doc, entry.default_doc) for entry in following.pop(setting.name, []))
    if following:
        raise ValueError(f"READ_BEFORE_SETTINGS follows rows that do not exist: {sorted(following)}")
    return table


def page() -> str:
    lines = []
    for row in rows():
        cells = (", ".join(f"`{name}`" for name in row.names), row.doc, row.default_doc)
        if any("|" in cell for cell in cells):
            raise ValueError(f"a '|' would split the row of {row.names[0]}")
        lines.append("| " + " | ".join(cells) + " |\n")
    return HEAD + "".join(lines)


if __name__ == "__main__":
    PAGE.write_text(page(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(PAGE.parent.parent)}")
