"""The Procfile is the one list of the system's processes; this reads it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def processes(path: Path = ROOT / "Procfile") -> dict[str, str]:
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries
