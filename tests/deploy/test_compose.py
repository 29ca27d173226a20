"""docker-compose.yml starts the whole system, wired together, each part only once the parts
it needs are healthy, and reached only through the buffering proxy (deploy/nginx.conf)."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from dev.ports import free_port
from gateway.app import MAX_BODY_BYTES
from gateway.push import HEARTBEAT_SECONDS
from gateway.uploads import ENVELOPE_BYTES
from services.common.config import Settings
from tests.deploy.layout import (
    CONTRACT_VARIABLES,
    COMPOSE_FILE,
    PROXY_CONFIG,
    ROOT,
    compose,
    compose_command,
    compose_environment,
    is_pinned,
    nameko_services,
    procfile,
    proxy_directive,
    proxy_listen_port,
    proxy_locations,
    proxy_upstreams,
    required_environment,
)

BACKING = {"rabbitmq": "rabbitmq", "mongo": "mongo", "mailpit": "axllent/mailpit"}


@pytest.fixture(scope="module")
def services():
    return compose()["services"]


def published(service: dict) -> dict[int, str]:
    """Container port → the host address:port it is published on."""
    found = {}
    for mapping in service.get("ports", []):
        *host, container = str(mapping).split(":")
        found[int(container.split("/")[0])] = ":".join(host)
    return found


def test_every_procfile_process_runs_with_its_procfile_command(services):
    for name, argv in procfile().items():
        assert name in services, f"{name} is in the Procfile but not in docker-compose.yml"
        assert compose_command(services[name]) == argv


def test_broker_database_and_mail_catcher_are_there(services):
    for name, repository in BACKING.items():
        assert services[name]["image"].split(":")[0] == repository


def test_every_image_is_pinned_to_a_version(services):
    for name, service in services.items():
        assert "image" in service, f"{name} has no image name (a build needs a tag too)"
        assert is_pinned(service["image"]), f"{name}: {service['image']} is not pinned"


def test_every_process_shares_the_image_built_from_the_dockerfile(services):
    images = {services[name]["image"] for name in procfile()}
    assert len(images) == 1
    for name in procfile():
        build = services[name]["build"]
        assert (build if isinstance(build, str) else build.get("context", ".")) == "."


def test_every_process_gets_every_setting_it_reads(services):
    needed = CONTRACT_VARIABLES | required_environment()
    for name in procfile():
        missing = needed - set(compose_environment(services[name]))
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_settings_point_at_the_compose_services_with_their_credentials(services):
    environment = compose_environment(services["gateway"])
    broker = urlsplit(environment["AMQP_URI"])
    rabbit = compose_environment(services["rabbitmq"])
    assert (broker.hostname, broker.port) == ("rabbitmq", 5672)
    assert (broker.username, broker.password) == (rabbit["RABBITMQ_DEFAULT_USER"], rabbit["RABBITMQ_DEFAULT_PASS"])

    database = urlsplit(environment["MONGO_URI"])
    mongo = compose_environment(services["mongo"])
    assert (database.hostname, database.port) == ("mongo", 27017)
    assert (database.username, database.password) == (
        mongo["MONGO_INITDB_ROOT_USERNAME"],
        mongo["MONGO_INITDB_ROOT_PASSWORD"],
    )

    # Mailpit takes SMTP on 1025: every mail the system sends shows in its web view.
    assert (environment["SMTP_HOST"], environment["SMTP_PORT"]) == ("mailpit", "1025")


def test_the_proxy_the_mail_web_view_and_the_reply_smtp_alone_are_published_on_loopback(services):
    # The proxy listens where deploy/nginx.conf says: that port, and no other, is published.
    port = proxy_listen_port()
    assert list(published(services["proxy"])) == [port]
    assert published(services["proxy"])[port].startswith("127.0.0.1:")
    assert published(services["mailpit"])[8025].startswith("127.0.0.1:")
    # Replies by SMTP, as an MX would deliver them; their HTTP route goes through the proxy.
    smtp_port = int(compose_environment(services["inbound_mail"])["INBOUND_SMTP_PORT"])
    assert list(published(services["inbound_mail"])) == [smtp_port]
    assert published(services["inbound_mail"])[smtp_port].startswith("127.0.0.1:")
    # The gateway and push only through the proxy; the broker and the database stay inside.
    for name in ("gateway", "push", "rabbitmq", "mongo"):
        assert not published(services[name]), name


def test_the_proxy_runs_the_repositorys_config_in_front_of_the_gateway_and_push(services):
    assert services["proxy"]["volumes"] == [f"./{PROXY_CONFIG.relative_to(ROOT)}:/etc/nginx/conf.d/default.conf:ro"]
    environment = compose_environment(services["gateway"])
    assert proxy_upstreams() == {
        "gateway": f"gateway:{environment['GATEWAY_PORT']}",
        "push": f"push:{environment['PUSH_PORT']}",
        "inbound_mail": f"inbound_mail:{environment['INBOUND_HTTP_PORT']}",
    }
    # push counts pages per address from the entry the proxy appends to X-Forwarded-For.
    assert proxy_directive("proxy_set_header X-Forwarded-For") == ["$proxy_add_x_forwarded_for"]
    assert environment["PUSH_PROXY_HOPS"] == "1" and Settings.PUSH_PROXY_HOPS == 0


def test_the_proxy_reads_requests_whole_and_passes_events_at_once():
    locations = proxy_locations()
    assert locations.keys() == {"/", "= /v1/events", "= /v1/uploads", "= /v1/inbound-mail"}
    mail = locations["= /v1/inbound-mail"]
    assert {"proxy_pass http://inbound_mail", "proxy_request_buffering on"} <= mail
    assert f"client_max_body_size {Settings().INBOUND_MAX_BYTES // 1024}k" in mail
    uploads = locations["= /v1/uploads"]
    assert {"proxy_pass http://gateway", "proxy_request_buffering on"} <= uploads
    assert f"client_max_body_size {(Settings().ATTACHMENT_MAX_BYTES + ENVELOPE_BYTES) // 1024}k" in uploads
    assert {"proxy_pass http://gateway", "proxy_request_buffering on", "proxy_buffering on"} <= locations["/"]
    stream = locations["= /v1/events"]
    assert {"proxy_pass http://push", "proxy_request_buffering on", "proxy_buffering off"} <= stream
    [read_timeout] = [directive for directive in stream if directive.startswith("proxy_read_timeout ")]
    assert int(read_timeout.split()[1].removesuffix("s")) > HEARTBEAT_SECONDS
    # The gateway's own body limit, and short timeouts for the head and the body.
    assert proxy_directive("client_max_body_size")[0] == f"{MAX_BODY_BYTES // 1024}k"  # the server's own
    for timeout in ("client_header_timeout", "client_body_timeout"):
        [seconds] = proxy_directive(timeout)
        assert int(seconds.removesuffix("s")) <= 10, timeout


def test_every_service_has_a_health_check_that_tests_it(services):
    checks = {name: service["healthcheck"]["test"] for name, service in services.items()}
    assert checks["rabbitmq"][:2] == ["CMD", "rabbitmq-diagnostics"]
    assert checks["mongo"][:2] == ["CMD", "mongosh"] and "ping" in checks["mongo"][-1]
    assert checks["mailpit"] == ["CMD", "/mailpit", "readyz"]
    for name in nameko_services():
        assert checks[name] == ["CMD", "python", "-m", "services.common.probe", name]
    port = compose_environment(services["gateway"])["GATEWAY_PORT"]
    assert f"http://127.0.0.1:{port}/readyz" in " ".join(checks["gateway"])
    assert f"http://127.0.0.1:{proxy_listen_port()}/healthz" in " ".join(checks["proxy"])
    port = compose_environment(services["inbound_mail"])["INBOUND_HTTP_PORT"]
    assert f"http://127.0.0.1:{port}/readyz" in " ".join(checks["inbound_mail"])


def test_each_process_starts_once_what_it_needs_is_healthy(services):
    for name in procfile():
        depends_on = services[name]["depends_on"]
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        assert {"rabbitmq", "mongo"} <= set(depends_on)
        assert all(need["condition"] == "service_healthy" for need in depends_on.values())
    assert "mailpit" in services["notifications"]["depends_on"]
    assert set(nameko_services()) <= set(services["gateway"]["depends_on"])
    # nginx resolves its upstreams' names once, as it starts.
    assert services["proxy"]["depends_on"] == {
        "gateway": {"condition": "service_healthy"},
        "push": {"condition": "service_healthy"},
        "inbound_mail": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize("database", ["reachable", "unreachable"])
def test_the_gateway_health_check_passes_only_while_the_gateway_is_ready(
    database, services, service_config, start_from_image, image_workdir
):
    port = free_port()
    environment = {
        **service_config,
        "GATEWAY_PORT": str(port),
        # The image binds every interface; a test machine keeps to loopback.
        "GATEWAY_HOST": "127.0.0.1",
        # As a deployment sets it: the gateway refuses to start on a weak one.
        "JWT_SECRET": "compose-test-secret-" + "c" * 32,
        "CALLER_SIGNING_KEY": "compose-test-caller-key-" + "c" * 32,
    }
    if database == "unreachable":
        environment["MONGO_URI"] = f"mongodb://127.0.0.1:{free_port()}/"
    gateway = start_from_image(procfile()["gateway"], environment)
    deadline = time.monotonic() + 60
    while True:
        assert gateway.poll() is None, gateway.log_path.read_text()[-3000:]
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                break
        except requests.RequestException:  # refused, or a worker still booting
            pass
        assert time.monotonic() < deadline, "the gateway never came up"
        time.sleep(0.3)

    # The health check exactly as docker-compose runs it inside the gateway's container.
    kind, *command = services["gateway"]["healthcheck"]["test"]
    compose_port = compose_environment(services["gateway"])["GATEWAY_PORT"]
    command = [word.replace(f":{compose_port}/", f":{port}/") for word in command]
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(
        command,
        cwd=image_workdir,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]},
    )
    assert kind == "CMD"
    assert (result.returncode == 0) == (database == "reachable"), result.stderr[-2000:]


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose is not installed (apt-get install docker-compose)"
)
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
