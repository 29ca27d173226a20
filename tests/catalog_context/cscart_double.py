"""A CS-Cart storefront's REST API on 127.0.0.1, answering as CS-Cart does, or failing on purpose.

`failure` picks how it fails: None (answers), "slow" (holds every answer until `release()`),
"error" (500 with an HTML page, as PHP does), "malformed" (200 with broken JSON),
"unreadable" (200 with a record missing company_id); `stop()` takes it off the network.
"""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER, API_KEY = "admin@shop.test", "api-key-0123456789"
HELD_AT_MOST = 30


class CsCartDouble:
    def __init__(self):
        self.records = {"products": {}, "orders": {}, "vendors": {}}
        self.failure = None
        self.asked = []
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def release(self):
        self.released.set()

    def config(self, **extra):
        return {"CSCART_API_URL": self.url, "CSCART_API_USER": USER, "CSCART_API_KEY": API_KEY, **extra}

    def answer(self, path, authorization):
        """(status, content type, body) for a GET of `path`."""
        expected = "Basic " + base64.b64encode(f"{USER}:{API_KEY}".encode()).decode()
        if authorization != expected:
            return 401, "application/json", json.dumps({"message": "Unauthorized", "status": 401})
        if self.failure == "slow":
            self.released.wait(HELD_AT_MOST)
        if self.failure == "error":
            return 500, "text/html", "<html><body><h1>Internal Server Error</h1></body></html>"
        parts = path.strip("/").split("/")
        record = None
        if len(parts) == 3 and parts[0] == "api":
            record = self.records.get(parts[1], {}).get(parts[2])
        if record is None:
            return 404, "application/json", json.dumps({"message": "Not Found", "status": 404})
        if self.failure == "malformed":
            return 200, "application/json", json.dumps(record)[:25]
        if self.failure == "unreadable":
            record = {name: value for name, value in record.items() if name != "company_id"}
        return 200, "application/json", json.dumps(record)


def _handler(double):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            double.asked.append(self.path)
            status, content_type, body = double.answer(self.path, self.headers.get("Authorization"))
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except OSError:
                pass  # the client stopped waiting: that is what "slow" is for

        def log_message(self, *args):
            pass

    return Handler
