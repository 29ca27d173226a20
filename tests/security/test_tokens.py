"""Which tokens open the API, and which secrets the gateway and the push process start on.

Both processes read tokens with gateway.auth.caller_from_token, so the token rules are asked of
it directly, and a few through the gateway app and the push app for the contract's 401. The
secret rules are asked of the processes themselves, started from their Procfile commands.
"""

import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
import requests
from werkzeug.test import Client

from dev.ports import free_port
from dev.procfile import ROOT, processes
from dev.tokens import mint
from gateway.app import create_app
from gateway.auth import Unauthorized, caller_from_token
from gateway.push import Audience, EventFeed, PushApp
from services.common.config import DEVELOPMENT_JWT_SECRET, Settings, load_settings
from services.common.secrets_policy import WeakSecret, check_signing_secret, weakness_of
from tests.deploy.layout import COMPOSE_FILE, k8s_objects
from tests.fixtures.callers import CALLER_SIGNING_KEY

SECRET = "tokens-test-secret-" + "t" * 32
SETTINGS = Settings(JWT_SECRET=SECRET, CALLER_SIGNING_KEY=CALLER_SIGNING_KEY)
ISSUER, AUDIENCE = "https://shop.example.com", "message-center"

K8S_PLACEHOLDER = k8s_objects("Secret")[0]["stringData"]["JWT_SECRET"]
# From the file's text: under `nameko test`, yaml expands ${...} with nameko's own syntax.
COMPOSE_DEFAULT = re.search(r"JWT_SECRET: \$\{JWT_SECRET:-(.+)\}", COMPOSE_FILE.read_text())[1]


def signed(secret=SECRET, algorithm="HS256", **changes) -> str:
    """Ann's customer token, valid for ten minutes, with `changes` to its claims (None drops one)."""
    claims = {"sub": "ann", "role": "customer", "exp": int(time.time()) + 600, **changes}
    return jwt.encode({name: value for name, value in claims.items() if value is not None}, secret, algorithm=algorithm)


def refusal(token: str, settings: Settings = SETTINGS) -> str:
    with pytest.raises(Unauthorized) as refused:
        caller_from_token(token, settings)
    return refused.value.message


# --- the token's times -------------------------------------------------------------------


def test_a_token_without_an_expiry_is_refused():
    assert '"exp"' in refusal(signed(exp=None))


@pytest.mark.parametrize(
    "claims",
    [
        {"iat": 20},
        {"nbf": 20},  # minted by a storefront whose clock runs ahead
        {"exp": -30},  # expired, but within the minute the clocks may differ by
    ],
    ids=["iat_ahead_20s", "nbf_ahead_20s", "expired_30s_ago"],
)
def test_clocks_a_little_apart_are_forgiven(claims):
    now = int(time.time())
    caller = caller_from_token(signed(**{name: now + offset for name, offset in claims.items()}), SETTINGS)
    assert (caller.user_id, caller.role) == ("ann", "customer")


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"iat": 120}, "not yet valid"),
        ({"nbf": 120}, "not yet valid"),
        ({"exp": -120}, "expired"),
    ],
    ids=["iat_ahead_2min", "nbf_ahead_2min", "expired_2min_ago"],
)
def test_clocks_minutes_apart_are_not(claims, reason):
    now = int(time.time())
    assert reason in refusal(signed(**{name: now + offset for name, offset in claims.items()}))


def test_a_token_minted_as_the_storefront_mints_one_carries_an_expiry_and_opens_the_api():
    caller = caller_from_token(mint(SECRET, "ann", "customer"), SETTINGS)
    assert caller.user_id == "ann"


# --- the token's signature -----------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        signed(secret="another-marketplace-secret-" + "o" * 32),
        signed(algorithm="HS384"),
        signed(secret=None, algorithm="none"),
        "not.a.token",
        # A correctly signed payload that is not a JSON object.
        jwt.api_jws.encode(b'["ann", "admin"]', SECRET, algorithm="HS256"),
    ],
    ids=["other_secret", "hs384", "alg_none", "garbage", "payload_not_an_object"],
)
def test_a_token_this_marketplace_did_not_sign_with_hs256_is_refused(token):
    assert refusal(token).startswith("The token is not valid")


# --- the token's claims ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims, claim",
    [
        ({"permissions": [{}]}, "permissions"),
        ({"permissions": "view_order_communication"}, "permissions"),
        ({"permissions": [1]}, "permissions"),
        ({"permissions": {"view_order_communication": True}}, "permissions"),
        ({"permissions": ["fly_the_plane"]}, "permissions"),
        ({"role": 5}, "role"),
        ({"role": ["admin"]}, "role"),
        ({"role": None}, "role"),
        ({"role": "root"}, "role"),
        ({"role": "vendor", "company_id": {"id": 1}}, "company_id"),
        ({"role": "vendor", "company_id": True}, "company_id"),
        ({"role": "vendor"}, "company_id"),
        ({"name": 5}, "name"),
        ({"email": ["ann@buyers.test"]}, "email"),
        ({"sub": ""}, "sub"),
        ({"sub": 42}, "Subject"),
        ({"sub": None}, '"sub"'),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else value,
)
def test_a_claim_of_the_wrong_type_or_value_is_refused_by_name(claims, claim):
    assert claim in refusal(signed(**claims))


def test_a_vendor_may_carry_its_company_as_a_number_or_a_string():
    for company_id in (7, "7"):
        caller = caller_from_token(signed(sub="vic", role="vendor", company_id=company_id), SETTINGS)
        assert caller.company_id == "7"


# --- issuer and audience ---------------------------------------------------------------------


@pytest.fixture
def marketplace():
    return Settings(JWT_SECRET=SECRET, JWT_ISSUER=ISSUER, JWT_AUDIENCE=AUDIENCE)


def test_with_an_issuer_and_an_audience_set_a_token_naming_both_is_accepted(marketplace):
    token = mint(SECRET, "ann", "customer", issuer=ISSUER, audience=AUDIENCE)
    assert caller_from_token(token, marketplace).user_id == "ann"


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"iss": "https://other.example.com", "aud": AUDIENCE}, "issuer"),
        ({"aud": AUDIENCE}, '"iss"'),
        ({"iss": ISSUER, "aud": "another-api"}, "audience"),
        ({"iss": ISSUER}, '"aud"'),
    ],
    ids=["wrong_issuer", "no_issuer", "wrong_audience", "no_audience"],
)
def test_with_an_issuer_and_an_audience_set_any_other_token_is_refused(marketplace, claims, reason):
    assert reason in refusal(signed(**claims), marketplace).lower()


def test_without_them_set_the_issuer_is_not_checked():
    assert caller_from_token(signed(iss="https://anyone.example.com"), SETTINGS).user_id == "ann"


# --- the 401 each process answers ------------------------------------------------------------


@pytest.fixture(scope="module")
def gateway():
    return create_app(SETTINGS).test_client()


@pytest.mark.parametrize(
    "token",
    [
        signed(exp=None),
        signed(permissions=[{}]),
        signed(role=5),
        signed(secret=None, algorithm="none"),
    ],
    ids=["no_exp", "permissions_of_dicts", "role_a_number", "alg_none"],
)
def test_the_gateway_answers_a_bad_token_with_the_contracts_401(gateway, token):
    # The catalog reads its caller before anything else: no broker is needed to answer.
    answer = gateway.put(
        "/v1/catalog/products/101", json={"product": "Brass Desk Lamp"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401, answer.data
    assert answer.json["error"]["code"] == "unauthorized"
    assert answer.json["error"]["message"].startswith("The token")
    assert answer.json["error"]["details"] == {}


def test_the_push_process_answers_a_bad_token_with_the_contracts_401():
    pages = Audience()
    app = PushApp(SETTINGS, pages, EventFeed("pyamqp://unused/", pages))
    answer = Client(app).get("/v1/events", query_string={"token": signed(permissions=[{}])})
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"
    assert "permissions" in answer.json["error"]["message"]


# --- the secret ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret, reason",
    [
        (DEVELOPMENT_JWT_SECRET, "not set"),
        ("", "empty"),
        (" " * 40, "empty"),
        ("short", "5 bytes"),
        ("x" * 31, "31 bytes"),
        (K8S_PLACEHOLDER, "placeholder"),
        (COMPOSE_DEFAULT, "placeholder"),
        ("our-Change-Me-before-launch-" + "q" * 32, "placeholder"),
    ],
    ids=["built_in", "empty", "blank", "short", "31_bytes", "k8s_placeholder", "compose_default", "change_me"],
)
def test_a_guessable_secret_is_weak(secret, reason):
    assert reason in weakness_of(secret)


@pytest.mark.parametrize("secret", ["x" * 32, SECRET, "é" * 16], ids=["32_bytes", "44_bytes", "16_letters_of_2_bytes"])
def test_a_secret_of_32_bytes_or_more_is_not(secret):
    assert weakness_of(secret) is None


def test_development_mode_turns_the_refusal_into_a_warning(caplog):
    log = logging.getLogger(__name__)
    with pytest.raises(WeakSecret, match="DEVELOPMENT_MODE=true"):
        check_signing_secret(Settings(), log)
    check_signing_secret(Settings(DEVELOPMENT_MODE=True), log)
    assert "anyone can mint tokens" in caplog.text


@pytest.mark.parametrize(
    "raw, development", [("true", True), ("1", True), ("TRUE", True), ("false", False), ("0", False), ("", False)]
)
def test_development_mode_is_read_from_the_environment(raw, development):
    assert load_settings(environ={"DEVELOPMENT_MODE": raw}).DEVELOPMENT_MODE is development


# --- the processes, started as the Procfile starts them ---------------------------------------


def environment(**settings) -> dict:
    """This machine's environment with none of the token settings, plus `settings`; a strong
    CALLER_SIGNING_KEY unless `settings` names one (the gateway refuses a weak one too)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in ("JWT_SECRET", "JWT_ISSUER", "JWT_AUDIENCE", "DEVELOPMENT_MODE", "CALLER_SIGNING_KEY")
    }
    bin_dir = str(Path(sys.executable).parent)
    return {
        **inherited,
        "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        "GATEWAY_WORKERS": "1",
        "PYTHONWARNINGS": "ignore",
        "GATEWAY_PORT": str(free_port()),
        "PUSH_PORT": str(free_port()),
        "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
        **settings,
    }


PORT_OF = {"gateway": "GATEWAY_PORT", "push": "PUSH_PORT"}


def wait_alive(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    """Until /healthz answers: gunicorn listens before its worker has built the app."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}"
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} within {timeout} s")


@pytest.mark.parametrize("process", ["gateway", "push"])
@pytest.mark.parametrize(
    "secret, reason",
    [
        (None, "JWT_SECRET is not set"),
        ("", "JWT_SECRET is not set"),  # an empty variable is an unset one
        ("short", "JWT_SECRET is 5 bytes long"),
        (K8S_PLACEHOLDER, "JWT_SECRET is a placeholder"),
        (COMPOSE_DEFAULT, "JWT_SECRET is a placeholder"),
    ],
    ids=["unset", "empty", "short", "k8s_placeholder", "compose_default"],
)
def test_outside_development_mode_a_weak_secret_stops_the_process_at_once(process, secret, reason):
    settings = {} if secret is None else {"JWT_SECRET": secret}
    started = time.monotonic()
    result = subprocess.run(
        shlex.split(processes()[process]),
        cwd=ROOT,
        env=environment(**settings),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert time.monotonic() - started < 10
    output = result.stdout + result.stderr
    assert reason in output and "DEVELOPMENT_MODE=true" in output, output[-3000:]


@pytest.mark.parametrize("process", ["gateway", "push"])
@pytest.mark.parametrize(
    "settings, warned",
    [
        ({"DEVELOPMENT_MODE": "1"}, True),
        ({"JWT_SECRET": SECRET}, False),
    ],
    ids=["development_mode_without_a_secret", "a_strong_secret"],
)
def test_a_strong_secret_or_development_mode_starts_the_process(process, settings, warned, tmp_path):
    env = environment(**settings)
    log_path = tmp_path / f"{process}.log"
    with open(log_path, "wb") as log:
        running = subprocess.Popen(
            shlex.split(processes()[process]),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_alive(int(env[PORT_OF[process]]), running)
    finally:
        os.killpg(running.pid, signal.SIGTERM)
        running.wait(timeout=20)
    output = log_path.read_text()
    warning = "JWT_SECRET is not set" in output and "anyone can mint tokens" in output
    assert warning is warned, output[-3000:]
