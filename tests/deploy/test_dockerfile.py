"""The Dockerfile builds one small, pinned, non-root image that holds every process."""

import os
import re
import subprocess
import sys

import pytest

from tests.deploy.layout import (
    ROOT,
    copy_arguments,
    dockerfile_env,
    dockerfile_stages,
    dockerignore_patterns,
    ignored,
    procfile,
    service_module,
)


@pytest.fixture(scope="module")
def stages():
    return dockerfile_stages()


def test_builds_in_two_stages_and_ships_only_the_builders_venv(stages):
    builder, runtime = stages[0], stages[-1]
    assert len(stages) >= 2 and builder.name
    copied_from_builder = [
        copy_arguments(arguments)
        for arguments in runtime.all("COPY")
        if copy_arguments(arguments)[0].get("from") == builder.name
    ]
    assert copied_from_builder, "the runtime stage takes nothing from the builder"
    assert any("pip install" in command and "requirements.txt" in command for command in builder.all("RUN"))


def test_every_stage_starts_from_a_pinned_python_of_the_projects_version(stages):
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for stage in stages:
        repository, _, tag = stage.image.partition(":")
        assert repository in ("python", "docker.io/library/python"), stage.image
        # A patch release and a Debian release: `3.11-slim` would move under us.
        assert re.fullmatch(rf"{re.escape(version)}\.\d+-slim-\w+", tag), stage.image


def test_the_runtime_image_has_no_build_tooling(stages):
    runtime = " ".join(stages[-1].all("RUN"))
    for tool in ("pip install", "apt-get", "apk add", "gcc", "build-essential"):
        assert tool not in runtime


def test_processes_run_as_a_fixed_non_root_user(stages):
    user = stages[-1].all("USER")[-1].split(":")[0]
    assert user.isdigit() and int(user) != 0, "a numeric uid, so runAsNonRoot can check it"


def test_the_image_gets_the_code_and_not_the_development_files(image_workdir):
    assert (image_workdir / "config.yml").is_file() and (image_workdir / "Procfile").is_file()
    assert (image_workdir / "services" / "common" / "probe.py").is_file()
    for unwanted in ("dev", "tests", "k8s", ".venv", ".venv-db", "requirements-db.txt"):
        assert not (image_workdir / unwanted).exists(), unwanted
    assert not list(image_workdir.rglob("__pycache__"))


def test_every_copied_path_exists_and_is_not_ignored(stages):
    patterns = dockerignore_patterns()
    for stage in stages:
        for arguments in stage.all("COPY"):
            flags, sources, _ = copy_arguments(arguments)
            if "from" in flags:
                continue
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
                assert not ignored(source.rstrip("/"), patterns), f"COPY {source}: .dockerignored"


@pytest.mark.parametrize("process", sorted(procfile()))
def test_each_process_module_imports_from_the_image_files_alone(process, image_workdir):
    argv = procfile()[process]
    module = service_module(argv)
    if not (ROOT / (module.replace(".", "/") + ".py")).exists():
        pytest.skip(f"{module} is not written yet")
    # The image's environment: its WORKDIR on the path, nothing from the checkout.
    environment = {**os.environ, "PYTHONPATH": str(image_workdir)}
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=image_workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    if "--config" in argv:
        assert (image_workdir / argv[argv.index("--config") + 1]).is_file()


def test_in_a_container_the_gateway_listens_on_every_interface(stages, image_workdir, tmp_path):
    # gunicorn's own settings file, read with the image's environment, as gunicorn reads it.
    image_environment = dockerfile_env(stages[-1])
    environment = {
        **os.environ,
        **image_environment,
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(image_workdir),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    read_bind = "import runpy; print(runpy.run_path('gateway/gunicorn_conf.py')['bind'])"
    result = subprocess.run(
        [sys.executable, "-c", read_bind],
        cwd=image_workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    port = image_environment["GATEWAY_PORT"]
    assert result.stdout.strip() == f"0.0.0.0:{port}"
    assert port in stages[-1].all("EXPOSE")
