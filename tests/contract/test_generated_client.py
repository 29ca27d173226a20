"""A client generated from the running system's /openapi.json by a standard generator
(openapi-python-client) does a real conversation: if the document drifted from the code, the
generated call would be refused or its answer would not parse.
"""

import json
import subprocess
from pathlib import Path

import requests

from tests.fixtures.world import World

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_BIN = ROOT / ".venv-contract" / "bin"
GENERATOR = CONTRACT_BIN / "openapi-python-client"
FLOW = Path(__file__).with_name("generated_client_flow.py")


def generate_client(url: str, folder: Path) -> Path:
    """The package `message_center_client`, generated into `folder` from the document as served."""
    document = folder / "openapi.json"
    document.write_text(requests.get(f"{url}/openapi.json", timeout=30).text)
    package = folder / "message_center_client"
    # --meta none: the bare package, no project files; ruff (its formatter, pinned beside it in
    # .venv-contract) is found on the PATH, and nothing is fetched from the network.
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(document), "--output-path", str(package), "--meta", "none"],
        env={"PATH": str(CONTRACT_BIN)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return folder


def test_a_client_generated_from_the_document_holds_a_conversation(stack, tmp_path):
    assert GENERATOR.exists(), "openapi-python-client is missing: run `make install` (.venv-contract)"
    world = World(stack)
    shop = world.vendor("shop")
    product = world.product("lamp", shop)
    customer, _ = world.customer("ann")
    setup = {"url": stack.url, "customer": customer, "staff": world.staff(shop), "product": product}

    run = subprocess.run(
        [str(CONTRACT_BIN / "python"), str(FLOW), str(generate_client(stack.url, tmp_path)), json.dumps(setup)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads(run.stdout)

    assert seen["asked"] == {"status": 201, "created": True, "type": "vendor_to_customer"}
    # The vendor's staff find the question in their inbox, theirs to answer.
    assert seen["inbox"] == {
        "subject": "Product: Brass Desk Lamp",
        "preview": "Is the lamp solid brass?",
        "awaiting_reply_from": "vendor",
        "unread_count": 1,
    }
    assert seen["answered"] == {"status": 201, "side": "vendor"}
    # The customer reads the answer below the question; nobody owes a reply now.
    assert seen["read"] == {
        "status": "open",
        "awaiting_reply_from": None,
        "conversation": [["customer", "Is the lamp solid brass?"], ["vendor", "Yes, solid brass, polished by hand."]],
    }
