"""Each request's correlation id (services/common/correlation.py): the client's `X-Request-ID`
when it sent a plain one, else a new one; noted for the log lines of the thread serving the
request, sent with its RPCs (gateway/rpc.py), and given back in the answer's `X-Request-ID`."""

from flask import request

from services.common import correlation


def register(app):
    @app.before_request
    def note():
        correlation.set_current(correlation.from_client(request.headers.get(correlation.HEADER)))

    @app.after_request
    def answer(response):
        response.headers[correlation.HEADER] = correlation.current() or ""
        return response
