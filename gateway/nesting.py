"""JSON bodies nest at most MAX_DEPTH levels deep.

A deeper body is refused with 400 before any parser recurses into it: Python's json parser
hits the interpreter's recursion limit on a few thousand brackets, which was a 500. No body
the contract describes nests more than a handful of levels.
"""

import re

from flask import request

from .errors import error_response

MAX_DEPTH = 32
STRING = re.compile(rb'"(?:\\.|[^"\\])*"')
BRACKET = re.compile(rb"[\[\]{}]")
OPENING = frozenset(b"[{")


def depth(body: bytes) -> int:
    """How deep the body's arrays and objects nest (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # cannot be too deep: most bodies stop here
    deepest = level = 0
    for bracket in BRACKET.finditer(STRING.sub(b"", body)):
        level += 1 if bracket.group()[0] in OPENING else -1
        deepest = max(deepest, level)
    return deepest


def register(app) -> None:
    @app.before_request
    def refuse_deep_json():
        if request.mimetype == "application/json" and depth(request.get_data(cache=True)) > MAX_DEPTH:
            return error_response(400, f"The JSON body nests more than {MAX_DEPTH} levels deep.")
