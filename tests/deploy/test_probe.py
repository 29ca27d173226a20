"""`python -m services.common.probe <service>`, run as the containers run it (from the image's
files), tells a live nameko service from a missing, stopped or unreachable one; with `--alive`,
a service whose heartbeat beats from a stopped one, whatever the broker and the database do."""

import logging
import os
import subprocess
import sys
import time

import pytest
from nameko.rpc import rpc

from dev.ports import free_port
from services.common.liveness import Heartbeat
from tests.deploy.layout import nameko_services, procfile, service_module

# Short, so that a stopped heartbeat goes stale within the test.
HEARTBEAT_INTERVAL = 0.05
MAX_AGE = "1"


class Answering:
    name = "probe_subject"

    @rpc
    def health(self):
        return True


class Beating:
    name = "heartbeat_subject"

    alive = Heartbeat(interval=HEARTBEAT_INTERVAL)


def run_probe(image_workdir, arguments, environment):
    environment = {**os.environ, **environment, "PYTHONPATH": str(image_workdir)}
    return subprocess.run(
        [sys.executable, "-m", "services.common.probe", *arguments],
        cwd=image_workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(image_workdir, amqp_uri, service_name, *options):
    return run_probe(image_workdir, [service_name, *options], {"AMQP_URI": amqp_uri})


def probe_alive(image_workdir, heartbeat_file, *options):
    return run_probe(image_workdir, ["--alive", *options], {"LIVENESS_FILE": str(heartbeat_file)})


@pytest.fixture
def subject(container_factory, rabbit_config):
    container = container_factory(Answering, rabbit_config)
    container.start()
    return container


@pytest.fixture
def heartbeat_file(tmp_path):
    return tmp_path / "alive"


@pytest.fixture
def beating(container_factory, rabbit_config, heartbeat_file):
    container = container_factory(Beating, {**rabbit_config, "LIVENESS_FILE": str(heartbeat_file)})
    container.start()
    return container


def test_exits_0_when_the_service_answers(subject, rabbit_config, image_workdir):
    result = probe(image_workdir, rabbit_config["AMQP_URI"], "probe_subject")
    assert result.returncode == 0, result.stderr


def test_exits_1_when_no_such_service_runs(subject, rabbit_config, image_workdir):
    result = probe(image_workdir, rabbit_config["AMQP_URI"], "conversations")
    assert result.returncode == 1
    assert "conversations did not answer" in result.stderr


def test_exits_1_when_the_service_has_stopped(subject, rabbit_config, image_workdir):
    # Its queue outlives it, so the call is accepted and waits: the probe's timeout ends it.
    subject.stop()
    result = probe(image_workdir, rabbit_config["AMQP_URI"], "probe_subject", "--timeout", "1")
    assert result.returncode == 1
    assert "RpcTimeout" in result.stderr


def test_exits_1_when_the_broker_cannot_be_reached(image_workdir):
    nothing_listens = free_port()
    result = probe(image_workdir, f"pyamqp://guest:guest@127.0.0.1:{nothing_listens}/", "probe_subject")
    assert result.returncode == 1
    assert "probe_subject did not answer" in result.stderr


def test_alive_while_the_heartbeat_beats(beating, heartbeat_file, image_workdir):
    result = probe_alive(image_workdir, heartbeat_file, "--max-age", MAX_AGE)
    assert result.returncode == 0, result.stderr


def test_not_alive_once_the_service_has_stopped(beating, heartbeat_file, image_workdir):
    beating.stop()
    last_beat = heartbeat_file.stat().st_mtime
    time.sleep(float(MAX_AGE) + 0.2)
    assert heartbeat_file.stat().st_mtime == last_beat, "the heartbeat outlived its service"
    result = probe_alive(image_workdir, heartbeat_file, "--max-age", MAX_AGE)
    assert result.returncode == 1
    assert "s old" in result.stderr


def test_not_alive_before_the_first_heartbeat(heartbeat_file, image_workdir):
    result = probe_alive(image_workdir, heartbeat_file)
    assert result.returncode == 1
    assert "no heartbeat" in result.stderr


def test_alive_while_the_broker_and_the_database_cannot_be_reached(heartbeat_file, image_workdir):
    # Liveness reads the heartbeat only: an outage of either must not restart the service.
    heartbeat_file.touch()
    nothing_listens = free_port()
    result = run_probe(
        image_workdir,
        ["--alive"],
        {
            "LIVENESS_FILE": str(heartbeat_file),
            "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{nothing_listens}/",
            "MONGO_URI": f"mongodb://127.0.0.1:{nothing_listens}/",
        },
    )
    assert result.returncode == 0, result.stderr


def test_the_heartbeat_outlives_a_file_it_cannot_touch(
    container_factory, rabbit_config, tmp_path, image_workdir, caplog
):
    # An exception in its green thread would kill the whole service.
    heartbeat_file = tmp_path / "not-yet" / "alive"
    container = container_factory(Beating, {**rabbit_config, "LIVENESS_FILE": str(heartbeat_file)})
    with caplog.at_level(logging.WARNING, logger="services.common.liveness"):
        container.start()
        time.sleep(HEARTBEAT_INTERVAL * 4)
    assert "cannot touch the heartbeat file" in caplog.text
    heartbeat_file.parent.mkdir()
    time.sleep(HEARTBEAT_INTERVAL * 4)
    result = probe_alive(image_workdir, heartbeat_file, "--max-age", MAX_AGE)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("process", nameko_services())
def test_each_service_started_as_its_container_starts_it_passes_both_probes(
    process, service_config, heartbeat_file, image_workdir, start_from_image
):
    """The container's command, from the image's files: what its probes will see."""
    argv = procfile()[process]
    if not (image_workdir / (service_module(argv).replace(".", "/") + ".py")).exists():
        pytest.skip(f"{service_module(argv)} is not written yet")
    started = start_from_image(argv, {**service_config, "LIVENESS_FILE": str(heartbeat_file)})
    deadline = time.monotonic() + 60
    while True:
        assert started.poll() is None, f"{process} exited:\n{started.log_path.read_text()[-3000:]}"
        result = probe(image_workdir, service_config["AMQP_URI"], process, "--timeout", "2")
        if result.returncode == 0:
            break
        assert time.monotonic() < deadline, f"{process} never answered:\n{result.stderr}"
        time.sleep(0.5)
    result = probe_alive(image_workdir, heartbeat_file)
    assert result.returncode == 0, result.stderr
