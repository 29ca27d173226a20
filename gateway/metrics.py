"""Prometheus metrics: requests by endpoint and status, and their latency.

gunicorn runs several worker processes, so the metrics live in prometheus-client's
multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set (gunicorn_conf.py sets it).
"""

import os
import time

from flask import Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from . import paths

REQUESTS = Counter("gateway_requests_total", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram("gateway_request_seconds", "Time to answer an HTTP request", ["endpoint", "method"])


def register(app):
    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def observe(response):
        endpoint = paths.plain(request.url_rule.rule) if request.url_rule else "unmatched"
        REQUESTS.labels(endpoint, request.method, response.status_code).inc()
        if "started" in g:
            LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - g.started)
        return response


def exposition() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
