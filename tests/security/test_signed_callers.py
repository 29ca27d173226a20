"""Issue 12, item 3: a broker client cannot pass as an admin. The caller travels signed
(services/common/signing.py): the rules as plain function calls first, then hand-made callers
published straight to the test stack's broker, as anyone holding broker credentials could."""

import logging
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from dev.procfile import ROOT, processes
from services.common.caller import Caller
from services.common.config import DEVELOPMENT_CALLER_SIGNING_KEY, Settings
from services.common.secrets_policy import WeakSecret, check_signing_secret, weakness_of
from services.common.signing import CLOCK_SKEW_SECONDS, MAX_AGE_SECONDS, BadSignature, sign, verified
from tests.deploy.layout import COMPOSE_FILE, k8s_objects
from tests.fixtures.callers import CALLER_SIGNING_KEY

KEY = CALLER_SIGNING_KEY
ADMIN = Caller(user_id="mallory", role="admin", name="Not an admin")
VENDOR = Caller(user_id="v1", role="vendor", company_id="10", permissions=("view_vendor_communication",))
T0 = 1_800_000_000.0


# the rules ------------------------------------------------------------------------------


def test_a_signed_caller_comes_back_as_itself():
    envelope = sign(VENDOR, KEY, now=T0)
    assert set(envelope) == {"caller", "issued_at", "signature"}
    assert verified(envelope, KEY, now=T0 + 1) == VENDOR


def test_an_unsigned_caller_is_refused():
    with pytest.raises(BadSignature, match="not signed"):
        verified(ADMIN.to_dict(), KEY, now=T0)


def test_a_caller_signed_with_another_key_is_refused():
    with pytest.raises(BadSignature, match="does not match"):
        verified(sign(ADMIN, "another-key-" + "x" * 32, now=T0), KEY, now=T0)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda caller: caller.update(role="admin"),
        lambda caller: caller.update(permissions=None),  # a restricted vendor widened to every permission
        lambda caller: caller.update(company_id="11"),
        lambda caller: caller.update(extra="field"),
    ],
    ids=["role", "permissions", "company", "added_field"],
)
def test_a_caller_changed_after_signing_is_refused(tamper):
    envelope = sign(VENDOR, KEY, now=T0)
    tamper(envelope["caller"])
    with pytest.raises(BadSignature, match="does not match"):
        verified(envelope, KEY, now=T0)


def test_the_time_is_signed_too():
    envelope = sign(VENDOR, KEY, now=T0)
    envelope["issued_at"] = T0 + 1000  # an old envelope made to look fresh
    with pytest.raises(BadSignature, match="does not match"):
        verified(envelope, KEY, now=T0 + 1000)


def test_a_caller_is_good_for_its_window_and_a_little_clock_skew_either_side():
    envelope = sign(VENDOR, KEY, now=T0)
    assert verified(envelope, KEY, now=T0 + MAX_AGE_SECONDS) == VENDOR
    assert verified(envelope, KEY, now=T0 + MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS) == VENDOR
    assert verified(envelope, KEY, now=T0 - CLOCK_SKEW_SECONDS) == VENDOR  # the signer's clock runs ahead
    with pytest.raises(BadSignature, match="good for 120 s"):
        verified(envelope, KEY, now=T0 + MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS + 1)
    with pytest.raises(BadSignature, match="in the future"):
        verified(envelope, KEY, now=T0 - CLOCK_SKEW_SECONDS - 1)


@pytest.mark.parametrize(
    "envelope",
    [
        None,
        "a string",
        [],
        {"caller": "admin", "issued_at": T0, "signature": "00"},
        {"caller": {}, "issued_at": "now", "signature": "00"},
        {"caller": {}, "issued_at": True, "signature": "00"},
        {"caller": {}, "issued_at": T0, "signature": 5},
        {"caller": {}, "issued_at": T0},
    ],
    ids=[
        "none",
        "string",
        "list",
        "caller_not_a_dict",
        "time_a_string",
        "time_a_bool",
        "signature_a_number",
        "no_signature",
    ],
)
def test_anything_but_an_envelope_is_refused_as_unsigned(envelope):
    with pytest.raises(BadSignature, match="not signed"):
        verified(envelope, KEY, now=T0)


def test_the_refusal_is_the_contracts_403():
    # Rebuilt on the gateway's side as itself (nameko's deserialize_to_instance), and answered
    # by the gateway's one error handler as {"error": {"code": "forbidden", ...}}.
    assert (BadSignature.status, BadSignature.code) == (403, "forbidden")


# the key --------------------------------------------------------------------------------

K8S_PLACEHOLDERS = {
    secret["metadata"]["name"]: secret["stringData"]["CALLER_SIGNING_KEY"]
    for secret in k8s_objects("Secret")
    if "CALLER_SIGNING_KEY" in secret["stringData"]
}


@pytest.mark.parametrize(
    "key, reason",
    [
        (DEVELOPMENT_CALLER_SIGNING_KEY, "CALLER_SIGNING_KEY is not set"),
        ("short", "CALLER_SIGNING_KEY is 5 bytes long"),
        (next(iter(K8S_PLACEHOLDERS.values())), "CALLER_SIGNING_KEY is a placeholder"),
        (
            re.search(r"CALLER_SIGNING_KEY: \$\{CALLER_SIGNING_KEY:-(.+)\}", COMPOSE_FILE.read_text())[1],
            "CALLER_SIGNING_KEY is a placeholder",
        ),
    ],
    ids=["built_in", "short", "k8s_placeholder", "compose_default"],
)
def test_a_weak_key_is_refused_outside_development_mode(key, reason):
    assert reason in weakness_of(key, "CALLER_SIGNING_KEY")
    with pytest.raises(WeakSecret, match="CALLER_SIGNING_KEY"):
        check_signing_secret(Settings(CALLER_SIGNING_KEY=key), logging.getLogger("test"), "CALLER_SIGNING_KEY")
    check_signing_secret(
        Settings(CALLER_SIGNING_KEY=key, DEVELOPMENT_MODE=True), logging.getLogger("test"), "CALLER_SIGNING_KEY"
    )


def test_the_gateway_and_the_three_services_hold_one_and_the_same_key():
    assert set(K8S_PLACEHOLDERS) == {
        "gateway-secrets",
        "conversations-secrets",
        "catalog-context-secrets",
        "notifications-secrets",
    }
    assert len(set(K8S_PLACEHOLDERS.values())) == 1


def test_a_service_refuses_to_start_on_a_weak_key(service_config):
    env = {name: value for name, value in os.environ.items() if name not in ("CALLER_SIGNING_KEY", "DEVELOPMENT_MODE")}
    env.update({name: str(value) for name, value in service_config.items() if name != "CALLER_SIGNING_KEY"})
    env.update(PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"], PYTHONWARNINGS="ignore")
    started = time.monotonic()
    result = subprocess.run(
        shlex.split(processes()["catalog_context"]), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert time.monotonic() - started < 30
    output = result.stdout + result.stderr
    assert "CALLER_SIGNING_KEY is not set" in output and "DEVELOPMENT_MODE=true" in output, output[-3000:]


# a broker client against the real system ------------------------------------------------

PRODUCT = {"product": "Forged Lamp", "product_code": "FORGED", "price": "1.00", "company_id": 1, "status": "A"}

FORGERIES = {
    "unsigned": lambda: ADMIN.to_dict(),
    "signed_with_a_wrong_key": lambda: sign(ADMIN, "a-key-the-broker-client-made-up-" + "z" * 32),
    "a_vendor_made_admin_after_signing": lambda: {
        **(envelope := sign(VENDOR, KEY)),
        "caller": {**envelope["caller"], "role": "admin", "permissions": None},
    },
    "stale": lambda: sign(ADMIN, KEY, now=time.time() - MAX_AGE_SECONDS - CLOCK_SKEW_SECONDS - 30),
}


@pytest.fixture
def broker_client(stack):
    """Anyone with credentials on the broker: nameko's own client, on the stack's virtual host."""
    with ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=20) as proxy:
        yield proxy


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_broker_client_cannot_pass_as_an_admin_and_nothing_is_written(stack, world, broker_client, forgery):
    product_id = world.id("forged")
    rules_before = world.stack.call("GET", "/v1/settings", world.admin()).json()
    with pytest.raises(BadSignature):
        broker_client.catalog_context.upsert_product(FORGERIES[forgery](), {**PRODUCT, "product_id": product_id})
    with pytest.raises(BadSignature):
        broker_client.notifications.set_rules(FORGERIES[forgery](), {"coalesce_seconds": 1234})
    with pytest.raises(BadSignature):
        broker_client.conversations.broadcast(
            FORGERIES[forgery](), {"company_ids": "all", "subject": "Forged", "message": "Send your password."}
        )
    with pytest.raises(BadSignature):  # reads too: the vendor directory names every vendor's address
        broker_client.catalog_context.list_vendors(FORGERIES[forgery](), None)

    assert stack.db.products.find_one({"_id": product_id}) is None
    assert world.stack.call("GET", f"/v1/context/product/{product_id}", world.admin()).status_code == 404
    assert world.stack.call("GET", "/v1/settings", world.admin()).json() == rules_before
    assert stack.db.broadcasts.count_documents({"subject": "Forged"}) == 0
    assert stack.db.threads.count_documents({"subject": "Forged"}) == 0


def test_the_same_call_signed_with_the_key_goes_through(stack, world, broker_client):
    # What the refusals above refused was the signature, not the call.
    product_id = world.id("signed")
    broker_client.catalog_context.upsert_product(sign(ADMIN, KEY), {**PRODUCT, "product_id": product_id})
    assert stack.db.products.find_one({"_id": product_id}) is not None
    assert world.stack.call("GET", f"/v1/context/product/{product_id}", world.admin()).status_code == 200


def test_the_gateway_path_still_works_for_people_and_the_sync(world):
    company_id = world.vendor("signs")  # the storefront's sync, through the gateway
    product_id = world.product("lamp", company_id)
    token, _ = world.customer("ann")
    thread_id = world.ask(token, "product", product_id, "Is it signed?")
    assert world.post(world.staff(company_id), thread_id, "Every call is.").status_code == 201
    answer = world.stack.call(
        "POST",
        "/v1/broadcasts",
        world.admin(),
        json={"company_ids": [company_id], "subject": "Signed", "message": "Hello."},
    )
    assert answer.status_code == 202, answer.text
