"""A webhook endpoint on 127.0.0.1 that keeps every call and answers as it is told."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, answers=()):
        """`answers`: status codes for the first calls, in order; 200 after them."""
        self.answers = list(answers)
        self.calls = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/message-center"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def answer(self) -> int:
        return self.answers.pop(0) if self.answers else 200


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = receiver.answer()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


class SilentEndpoint:
    """A server on 127.0.0.1 that takes every connection and never answers (a broken or hostile
    webhook receiver, a mail server behind a dead relay): a call to it lasts its timeout."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/never"
        self.held = []
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.listener.close()
        for connection in self.held:
            connection.close()

    def _hold(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed by stop()
                return
            self.held.append(connection)
