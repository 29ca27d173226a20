"""One way to write log lines, in every process: plain text for people (the default, `make run`),
or one JSON object a line for a log pipeline (`LOG_FORMAT=json`). Each line of work done for a
request carries its correlation id (services/common/correlation.py).

nameko's services take it through config.yml's LOGGING, gunicorn through `logconfig_dict`,
the other processes through `configure`: all from `dict_config`.
"""

import logging
import logging.config
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from .correlation import current

PLAIN = "%(asctime)s %(levelname)s %(name)s%(correlation)s %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"


class WithCorrelation(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        correlation_id = current()
        record.correlation_id = correlation_id
        record.correlation = f" [{correlation_id}]" if correlation_id else ""
        return True


class RefusalsInOneLine(logging.Filter):
    """nameko logs a worker's expected error (a refusal the caller was told about, see
    services/common/entrypoints.py) as a warning with its traceback: one INFO line says enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "nameko.containers" and str(record.msg).startswith("(expected)"):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def formatter(kind: str = "plain") -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
    if kind != "plain":
        raise ValueError(f"LOG_FORMAT is plain or json, not {kind!r}")
    return logging.Formatter(PLAIN)


def dict_config(level: str = "INFO", kind: str = "plain") -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation": {"()": WithCorrelation}, "refusals": {"()": RefusalsInOneLine}},
        "formatters": {"chosen": {"()": formatter, "kind": kind}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "chosen", "filters": ["correlation", "refusals"]}
        },
        "root": {"level": level, "handlers": ["console"]},
    }


def configure(level: str = "INFO", kind: str = "plain") -> None:
    logging.config.dictConfig(dict_config(level, kind))
