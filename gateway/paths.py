"""A path segment that names an object is never the word a sibling route takes as its own:
`/v1/threads/bulk` is the bulk action, not a thread called "bulk", for every method. Otherwise
Flask would route GET /v1/threads/bulk to the thread, and answer OPTIONS on it with the thread's
methods (`<not(bulk):thread_id>`)."""

import re

from werkzeug.routing import BaseConverter


class NotConverter(BaseConverter):
    def __init__(self, url_map, *words):
        super().__init__(url_map)
        self.regex = rf"(?!(?:{'|'.join(re.escape(word) for word in words)})$)[^/]+"


def register(app) -> None:
    app.url_map.converters["not"] = NotConverter


def plain(rule: str) -> str:
    """The rule as the tables name it, converters left out: /v1/threads/<thread_id>."""
    return re.sub(r"<(?:[^:<>]+:)?([^:<>]+)>", r"<\1>", rule)
