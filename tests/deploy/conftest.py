import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.layout import lay_out_image


@pytest.fixture(scope="session")
def image_workdir(tmp_path_factory):
    """The files the image holds, laid out from the Dockerfile's COPY lines: its WORKDIR."""
    return lay_out_image(tmp_path_factory.mktemp("image-root"))


@pytest.fixture
def start_from_image(image_workdir, tmp_path):
    """Start a process as its container would: its command, in the image's WORKDIR, with the
    image's files only on the path. Stopped (SIGTERM, as Docker does) after the test."""
    started = []

    def start(argv, environment):
        bin_dir = str(Path(sys.executable).parent)
        environment = {
            **os.environ,
            **environment,
            "PYTHONPATH": str(image_workdir),
            "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        }
        log_path = tmp_path / f"{Path(argv[0]).name}-{len(started)}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                argv, cwd=image_workdir, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        process.log_path = log_path
        started.append(process)
        return process

    yield start
    for process in started:
        stop(process)


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:  # it had exited already, and all of its group with it
        process.wait()
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
