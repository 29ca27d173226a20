# syntax=docker/dockerfile:1
# One image for every process of the system: the three nameko services, the gateway and push.
# Each container picks its process by its command (the Procfile's line for it), e.g.
#   nameko run --config config.yml services.conversations.service
#   gunicorn --config gateway/gunicorn_conf.py "gateway.app:create_app()"

# Pinned to a patch release: a rebuild must not move Python under the pinned requirements.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- builder: resolves and installs the pinned requirements into a self-contained venv ---
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# Every dependency ships a manylinux wheel for CPython 3.11, so no compiler is needed;
# --only-binary keeps it that way instead of silently building from source.
RUN /opt/venv/bin/pip install --only-binary=:all: -r /tmp/requirements.txt \
 && /opt/venv/bin/pip uninstall --yes pip

# --- runtime: the venv and the code, nothing to build or install with ---
FROM ${PYTHON_IMAGE} AS runtime
# Inside a container the gateway listens on every interface (gateway/gunicorn_conf.py binds
# GATEWAY_HOST:GATEWAY_PORT; loopback is its default outside containers).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080

# A fixed uid/gid, so Kubernetes' runAsUser and file ownership agree (k8s/ uses 10001).
RUN groupadd --gid 10001 app \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY services/ services/
COPY gateway/ gateway/
COPY config.yml Procfile ./
# Bytecode compiled now: at run time the root filesystem is read-only.
RUN python -m compileall -q services gateway

USER 10001:10001
EXPOSE 8080
# No HEALTHCHECK here: the same image runs five different processes, so each deployment
# declares its own (the gateway's /readyz, the services' `python -m services.common.probe`).
CMD ["gunicorn", "--config", "gateway/gunicorn_conf.py", "gateway.app:create_app()"]
