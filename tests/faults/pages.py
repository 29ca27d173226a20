"""An open page of the Message Center: it listens to the push process's event stream and, as a
browser's EventSource does, reconnects when the stream breaks."""

import json
import threading
import time

import requests


class OpenPage:
    def __init__(self, push_url: str, token: str):
        self.url = f"{push_url}/v1/events"
        self.token = token
        self.events: list[str] = []
        self.received: list[dict] = []  # each event as it came: {"type", "thread_id", "message_id"}
        self.connections = 0
        self._closed = threading.Event()

    def open(self, timeout: float = 15.0) -> "OpenPage":
        threading.Thread(target=self._listen, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not self.connections:
            assert time.monotonic() < deadline, "the page could not open its event stream"
            time.sleep(0.1)
        return self

    def close(self) -> None:
        self._closed.set()

    def told(self, event_type: str) -> int:
        return self.events.count(event_type)

    def wait_told(self, event_type: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.told(event_type):
                return True
            time.sleep(0.2)
        return False

    def _listen(self) -> None:
        while not self._closed.is_set():
            try:
                with requests.get(self.url, params={"token": self.token}, stream=True, timeout=(3, 30)) as stream:
                    if stream.status_code != 200:
                        time.sleep(1)
                        continue
                    self.connections += 1
                    for line in stream.iter_lines():
                        if self._closed.is_set():
                            return
                        if line.startswith(b"data: "):
                            event = json.loads(line[6:])
                            self.received.append(event)
                            self.events.append(event["type"])
            except requests.RequestException:
                pass
            time.sleep(1)  # EventSource's retry
