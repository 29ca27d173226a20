"""`python -m services.common.probe <service>`, run as the containers run it (from the image's
files), tells a live nameko service from a missing, stopped or unreachable one."""
import os
import subprocess
import sys
import time

import pytest
from nameko.rpc import rpc

from dev.ports import free_port
from tests.deploy.layout import nameko_services, procfile, service_module


class Answering:
    name = "probe_subject"

    @rpc
    def health(self):
        return True


def probe(image_workdir, amqp_uri, service_name, *options):
    environment = {**os.environ, "AMQP_URI": amqp_uri, "PYTHONPATH": str(image_workdir)}
    return subprocess.run(
        [sys.executable, "-m", "services.common.probe", service_name, *options],
        cwd=image_workdir, env=environment, capture_output=True, text=True, timeout=60)


@pytest.fixture
def subject(container_factory, rabbit_config):
    container = container_factory(Answering, rabbit_config)
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
    result = probe(image_workdir, f"pyamqp://guest:guest@127.0.0.1:{nothing_listens}/",
                   "probe_subject")
    assert result.returncode == 1
    assert "probe_subject did not answer" in result.stderr


@pytest.mark.parametrize("process", nameko_services())
def test_each_service_started_as_its_container_starts_it_passes_the_probe(
        process, service_config, image_workdir, start_from_image):
    """The container's command, from the image's files: what its health check will see."""
    argv = procfile()[process]
    if not (image_workdir / (service_module(argv).replace(".", "/") + ".py")).exists():
        pytest.skip(f"{service_module(argv)} is not written yet")
    started = start_from_image(argv, service_config)
    deadline = time.monotonic() + 60
    while True:
        assert started.poll() is None, \
            f"{process} exited:\n{started.log_path.read_text()[-3000:]}"
        result = probe(image_workdir, service_config["AMQP_URI"], process, "--timeout", "2")
        if result.returncode == 0:
            break
        assert time.monotonic() < deadline, f"{process} never answered:\n{result.stderr}"
        time.sleep(0.5)
