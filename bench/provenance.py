"""Where a bench's figures come from: the commit they were measured at, and whether the tree
held changes beside it (a figure of uncommitted code names the commit it started from)."""

import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def measured_at() -> dict:
    """`commit` (short), `dirty` when tracked files differ from it, and the date (UTC)."""
    found: dict[str, str | bool] = {"commit": _git("rev-parse", "--short", "HEAD")}
    # Results and pages written after an earlier run change no figure: not counted as changes.
    if _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/*.json", ":!docs"):
        found["dirty"] = True
    found["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return found
