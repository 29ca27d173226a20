"""gunicorn settings: threads (gthread), each with its own RPC client (gateway/rpc.py)."""
import os
import shutil
import tempfile

from services.common.config import load_settings

_settings = load_settings()

bind = f"{_settings.GATEWAY_HOST}:{_settings.GATEWAY_PORT}"
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

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
