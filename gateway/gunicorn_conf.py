"""gunicorn settings: threads (gthread), each with its own RPC client (gateway/rpc.py).

The gateway belongs behind a buffering proxy (deploy/nginx.conf, k8s/ingress.yaml): gthread
gives a request a thread from its first byte until its body is read, with no time limit, so a
client that sends half a request head holds a thread for as long as it stays connected.
"""

import os
import shutil
import tempfile

from services.common import logs
from services.common.config import load_settings

_settings = load_settings()

bind = f"{_settings.GATEWAY_HOST}:{_settings.GATEWAY_PORT}"
# A port of its own (services/common/listening.py): a second gateway on it refuses to start.
reuse_port = False
# gunicorn's control socket (for `gunicornc`, which nothing here uses) has one path per user by
# default: every gateway on a machine would take it from the one before, and one stopping
# removes it from under the others.
control_socket_disable = True
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
# A worker whose main loop has not reported for this long is killed. gthread's loop reports
# while its threads work, so this catches a stuck process; RPC_TIMEOUT bounds a slow request.
timeout = 30
# What a request in flight gets after SIGTERM: past RPC_TIMEOUT, within Kubernetes' 30 s grace.
graceful_timeout = 20
# An idle kept-alive connection waits in the worker's poller, not in a thread. Longer than the
# proxy keeps idle connections to the gateway (ingress-nginx: 60 s), or the proxy may send a
# request on one the gateway is closing, and its client gets a 502.
keepalive = 75
# The head's size, as in nginx's 8 KiB header buffers: the longest inbox query the contract
# accepts (`q` and `customer` at 200 characters, each character up to 12 bytes percent-encoded,
# beside every filter) is about 5.5 KiB, more than gunicorn's default 4 KiB line (schemathesis
# found one answered by gunicorn's own HTML 414); a browser sends some 20 fields, and a token
# with its claims fits in 8 KiB.
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn's own lines and its access lines in the system's format (LOG_FORMAT), with the
# request's correlation id (gateway/app.py notes it for the thread serving the request).
logconfig_dict = logs.dict_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "plain"))
logconfig_dict["loggers"] = {
    name: {"level": "INFO", "handlers": ["console"], "propagate": False, "qualname": name}
    for name in ("gunicorn.error", "gunicorn.access")
}

# Workers share their metrics through files (prometheus-client's multiprocess mode).
_metrics_dir_made_here = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _metrics_dir_made_here:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gateway-metrics-")


def on_exit(server):
    if _metrics_dir_made_here:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
