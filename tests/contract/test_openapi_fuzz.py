"""Schemathesis against the gateway's own /openapi.json, as each kind of caller: no request a
client can send is answered with a 5xx, and every answer is what the document says it is
(status, content type, body schema, headers, 405 with Allow for a method the path lacks).

The fuzzer gets a system of its own: it changes the settings, deletes vendors and registers
webhooks, which the tests after it must not inherit.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.mail import MailSink
from tests.fixtures.stack import running_stack
from tests.fixtures.world import World

ROOT = Path(__file__).resolve().parents[2]
# schemathesis has a virtualenv of its own (requirements-contract.txt, made by `make install`):
# installed beside the suite, its pytest plugin would load into every run under eventlet.
SCHEMATHESIS = ROOT / ".venv-contract" / "bin" / "st"

# Every check schemathesis has: no 5xx, answers as documented (status, content type, body,
# headers, 405 with Allow), a request the document allows is taken and one it refuses is
# refused. What no document can say (an id must name something, a cursor must be the
# server's) is in schemathesis.toml beside this file.
STATIC_CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 1201
MAX_EXAMPLES = 30  # per operation and phase: with every check, about 100 s of a core a caller on the 2-core machine


@pytest.fixture(scope="module")
def fuzzed(vhost_pipeline, mongo_uri, mongo_client, tmp_path_factory, request):
    sink = MailSink(tmp_path_factory.mktemp("fuzz-mail"))
    sink.start()
    try:
        with running_stack(
            vhost_pipeline,
            request.config.getoption("RABBIT_AMQP_URI"),
            mongo_uri,
            mongo_client,
            sink,
            tmp_path_factory.mktemp("fuzz-logs"),
        ) as system:
            yield system
    finally:
        sink.stop()


def marketplace(world: World) -> dict:
    """Real objects for the fuzzer to hit, beside the ids it makes up: without them most
    operations on a thread would only ever answer 404."""
    shop = world.vendor("shop")
    product = world.product("lamp", shop)
    customer, customer_id = world.customer("ann")
    order = world.order("order", shop, customer_id)
    staff = world.staff(shop)
    admin = world.admin()
    threads = [
        world.ask(customer, "product", product, "Is it brass?"),
        world.ask(customer, "order", order, "Where is it?", type="vendor_to_customer"),
        world.ask(staff, "company", shop, "A question for you", type="vendor_to_admin"),
    ]
    broadcast = world.stack.call(
        "POST", "/v1/broadcasts", admin, json={"company_ids": [shop], "subject": "Fees", "message": "New fees"}
    )
    assert broadcast.status_code == 202, broadcast.text
    return {
        "callers": {
            "customer": customer,
            "vendor": staff,
            "admin": admin,
            "restricted_admin": world.admin("support", permissions=["view_vendor_communication", "view_reports"]),
            "storefront_sync": world.system,
        },
        "ids": {
            "thread_id": threads,
            "object_id": [product, order, shop],
            "product_id": [product],
            "order_id": [order],
            "company_id": [shop],
            "user_id": [customer_id],
            "broadcast_id": [broadcast.json()["id"]],
        },
    }


def config_file(path: Path, ids: dict) -> Path:
    """schemathesis.toml, and: half the time a path parameter names one of the real objects
    (schemathesis dictionaries)."""
    lines = [STATIC_CONFIG.read_text()]
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}"]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in ids]
    path.write_text("\n".join(lines) + "\n")
    return path


def fuzz(url: str, token: str, config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(SCHEMATHESIS),
            "--no-color",
            "--config-file",
            str(config),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
            # Hypothesis' health check that generating an operation's data is "too slow" is a
            # clock on this process: on a machine busy with the suite's other tiers it fails
            # operations whose data is fine. What the server answers is checked all the same.
            "--suppress-health-check",
            "too_slow",
        ],
        cwd=config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# The callers who only read or add go side by side (each fuzz is a process busy on a core);
# those who change the world for everyone (the admin's settings, the sync deleting vendors and
# products) go after them, one at a time, in the order the callers always had.
SIDE_BY_SIDE = [["customer", "vendor", "restricted_admin"], ["admin"], ["storefront_sync"]]


def test_no_input_from_any_caller_is_a_server_error_or_off_the_document(fuzzed, tmp_path):
    assert SCHEMATHESIS.exists(), "schemathesis is missing: run `make install` (.venv-contract)"
    setup = marketplace(World(fuzzed))
    config = config_file(tmp_path / "schemathesis.toml", setup["ids"])
    assert sorted(sum(SIDE_BY_SIDE, [])) == sorted(setup["callers"])
    failed = {}
    for group in SIDE_BY_SIDE:
        runs = {caller: fuzz(fuzzed.url, setup["callers"][caller], config) for caller in group}
        for caller, run in runs.items():
            output, _ = run.communicate(timeout=900)
            print(f"--- schemathesis as {caller}: exit {run.returncode}\n{output[-1500:]}")
            if run.returncode != 0:
                failed[caller] = output
    for caller, output in failed.items():
        sys.stdout.write(f"\n===== schemathesis as {caller} =====\n{output}\n")
    # The failures themselves in the assertion, which CI's summary keeps when it cuts the output.
    assert not failed, "schemathesis found failures (its whole output is above):\n" + "\n".join(
        f"--- as {caller}:\n{failures_of(output)}" for caller, output in failed.items()
    )


def failures_of(output: str, most: int = 4000) -> str:
    """schemathesis' FAILURES section: each failed operation, what failed and its curl."""
    start = output.find("FAILURES")
    end = output.find("SUMMARY", start)
    return (output[start:end] if start >= 0 else output)[-most:]
