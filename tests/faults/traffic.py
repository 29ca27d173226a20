"""Customers posting steadily while a fault happens, as careful clients do: each message has an
Idempotency-Key of its own, and a message whose post did not get its 201 is sent again with the
same key until it does."""

import threading
import time
from collections import Counter

import requests

# The answers a client may get while a dependency is away: anything else is a bug.
EXPECTED_FAILURES = {503, 409}
GIVE_UP_SECONDS = 120.0


class Traffic:
    def __init__(self, system, customers: list[tuple[str, str]], tag: str, interval: float = 0.15):
        """customers: (token, thread id) of each posting customer."""
        self.system = system
        self.customers = customers
        self.tag = tag
        self.interval = interval
        self.acked: dict[str, str] = {}  # message text → the message id its 201 gave
        self.statuses = Counter()  # every answer's status (0: no answer at all)
        self.successes: list[float] = []  # when each 201 came back (time.monotonic)
        self.unexpected: list[str] = []  # answers no client should ever get
        self.unfinished: list[str] = []  # messages still without a 201 when given up
        self.slowest_503 = 0.0  # seconds the longest 503 took to come back
        self._stopping = threading.Event()
        self._clients = []
        self._lock = threading.Lock()

    def body(self, client: int, number: int) -> str:
        # Fixed width, so no message's text is a part of another's (the mail check searches it).
        return f"{self.tag}c{client:02d}m{number:04d}"

    def start(self) -> "Traffic":
        for client, (token, thread_id) in enumerate(self.customers):
            worker = threading.Thread(target=self._post_steadily, args=(client, token, thread_id), daemon=True)
            worker.start()
            self._clients.append(worker)
        return self

    def stop(self) -> None:
        """Every client finishes the message it is on (retrying as long as it takes)."""
        self._stopping.set()
        for worker in self._clients:
            worker.join(GIVE_UP_SECONDS + 30)

    def _post_steadily(self, client: int, token: str, thread_id: str) -> None:
        number = 0
        while not self._stopping.is_set():
            number += 1
            self._post_until_acknowledged(token, thread_id, self.body(client, number))
            time.sleep(self.interval)

    def _post_until_acknowledged(self, token: str, thread_id: str, body: str) -> None:
        give_up = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < give_up:
            asked = time.monotonic()
            try:
                answer = self.system.call(
                    "POST",
                    f"/v1/threads/{thread_id}/messages",
                    token,
                    json={"body": body},
                    headers={"Idempotency-Key": f"key-{body}"},
                )
                status = answer.status_code
            except requests.RequestException:
                status = 0  # the gateway itself was away (its worker was killed)
            with self._lock:
                self.statuses[status] += 1
                if status == 201:
                    self.acked[body] = answer.json()["id"]
                    self.successes.append(time.monotonic())
                    return
                if status not in EXPECTED_FAILURES and status != 0:
                    self.unexpected.append(f"{status}: {answer.text[:200]}")
                elif status == 503:
                    self.slowest_503 = max(self.slowest_503, time.monotonic() - asked)
                    if "Retry-After" not in answer.headers:
                        self.unexpected.append("503 without Retry-After")
            time.sleep(0.3)
        self.unfinished.append(body)

    def first_success_after(self, moment: float) -> float | None:
        later = [at for at in self.successes if at >= moment]
        return min(later) - moment if later else None
