"""Log lines (services/common/logs.py): plain or JSON, the same in every process, each line of a
request's work carrying its correlation id."""

import io
import json
import logging
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from services.common import correlation, logs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_request_yet():
    """This thread may have served a request in an earlier test (the gateway's test client)."""
    correlation.set_current(None)


def lines_of(kind, work):
    stream = io.StringIO()
    logger = logging.getLogger(f"test.logs.{kind}")
    logger.setLevel(logging.DEBUG)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(kind))
    handler.addFilter(logs.WithCorrelation())
    logger.addHandler(handler)
    try:
        work(logger)
    finally:
        logger.removeHandler(handler)
        correlation.set_current(None)
    return stream.getvalue().splitlines()


def test_json_lines_are_one_object_each_with_the_correlation_id():
    def work(logger):
        logger.warning("mail to %s refused", "shop@example.test")
        correlation.set_current("trace-1")
        logger.info("message posted")

    first, second = (json.loads(line) for line in lines_of("json", work))
    assert first["message"] == "mail to shop@example.test refused" and first["level"] == "WARNING"
    assert first["correlation_id"] is None
    assert second["correlation_id"] == "trace-1" and second["logger"] == "test.logs.json" and "time" in second


def test_plain_lines_show_the_id_only_when_there_is_one():
    def work(logger):
        logger.warning("no request")
        correlation.set_current("trace-2")
        logger.warning("for a request")

    plain, traced = lines_of("plain", work)
    assert plain.endswith("test.logs.plain no request")
    assert traced.endswith("test.logs.plain [trace-2] for a request")


def test_a_client_id_is_kept_when_plain_and_replaced_when_not():
    assert correlation.from_client("order-42.retry_1") == "order-42.retry_1"
    for forged in ("a b", "x\ninjected line", "é", "x" * 65, "", None):
        assert re.fullmatch(r"[0-9a-f]{32}", correlation.from_client(forged))


def test_the_services_config_is_the_shared_one(monkeypatch):
    """config.yml's LOGGING (nameko's dictConfig) says what logs.dict_config says."""
    text = (ROOT / "config.yml").read_text()
    for kind in ("plain", "json"):
        env = {"LOG_FORMAT": kind, "LOG_LEVEL": "WARNING"}
        expanded = re.sub(
            r"\$\{(\w+):([^}]*)\}", lambda m: env.get(m.group(1), os.environ.get(m.group(1), m.group(2))), text
        )
        from_yaml = yaml.safe_load(expanded)["LOGGING"]
        shared = logs.dict_config("WARNING", kind)
        shared["filters"]["correlation"]["()"] = "services.common.logs.WithCorrelation"
        shared["filters"]["refusals"]["()"] = "services.common.logs.RefusalsInOneLine"
        shared["formatters"]["chosen"]["()"] = "services.common.logs.formatter"
        assert from_yaml == shared


def test_a_refusal_the_caller_was_told_about_is_one_info_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("plain"))
    handler.addFilter(logs.WithCorrelation())
    handler.addFilter(logs.RefusalsInOneLine())
    containers = logging.getLogger("nameko.containers")
    try:
        raise LookupError("No such thread.")
    except LookupError as error:
        expected = containers.makeRecord(
            containers.name,
            logging.WARNING,
            __file__,
            1,
            "(expected) error handling worker %s: %s",
            ("<get_thread>", error),
            sys.exc_info(),
        )
        failed = containers.makeRecord(
            containers.name,
            logging.ERROR,
            __file__,
            1,
            "error handling worker %s: %s",
            ("<post_message>", "boom"),
            sys.exc_info(),
        )
    for record in (expected, failed):
        if handler.filter(record):
            handler.emit(record)
    text = stream.getvalue()
    assert "INFO nameko.containers (expected) error handling worker <get_thread>: No such thread.\n" in text
    assert text.count("Traceback") == 1 and "ERROR nameko.containers error handling worker <post_message>" in text
