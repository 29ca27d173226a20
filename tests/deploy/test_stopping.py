"""Each nameko service, started as its container starts it, stops once whatever number of
SIGTERMs it is sent: a second one while the first stop is under way (a supervisor or an
operator signalling again, or Linux's parent-death signal, sent again as each thread of a killed
parent ends) used to start a second stop that waited on the first for ever, and the process
never exited (services/common/container.py)."""

import os
import signal
import subprocess
import time

import pytest

from tests.deploy.layout import nameko_services, procfile
from tests.deploy.test_probe import probe


@pytest.mark.parametrize("process", nameko_services())
def test_a_service_sent_sigterm_twice_stops_gracefully(process, service_config, image_workdir, start_from_image):
    started = start_from_image(procfile()[process], service_config)
    deadline = time.monotonic() + 60
    while probe(image_workdir, service_config["AMQP_URI"], process, "--timeout", "2").returncode != 0:
        assert started.poll() is None and time.monotonic() < deadline, (
            f"{process} did not start:\n{started.log_path.read_text()[-3000:]}"
        )
        time.sleep(0.5)
    os.kill(started.pid, signal.SIGTERM)
    time.sleep(0.05)  # the first stop is under way (two at once would arrive as one)
    os.kill(started.pid, signal.SIGTERM)
    try:
        returncode = started.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{process} did not stop within 20 s of two SIGTERMs:\n{started.log_path.read_text()[-3000:]}")
    assert returncode == 0, started.log_path.read_text()[-3000:]
