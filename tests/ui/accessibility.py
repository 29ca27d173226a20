"""axe-core, the npm package (tests/ui/axe, installed by `make test` with npm ci), run inside a
page of the stack: every violation of any impact fails the test, named with its nodes."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def violations(page, context: str = "document") -> list:
    """axe's violations on what the page shows now (WCAG 2.x A and AA, and best practices)."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (context) => (await axe.run(context === 'document' ? document : context,
              {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))""",
        context,
    )


def assert_accessible(page, context: str = "document") -> None:
    found = violations(page, context)
    assert not found, "axe-core found violations:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
    )
