"""The load's clients: processes of their own, as real callers are.

Client threads of the bench's one Python process share its interpreter lock: at 16 clients
the lock, not the system or its floor, set the pace (the floor's 16 "clients" were one core
of Python). A `Clients` pool starts its processes once and gives them one window of work at
a time; each builds its operation in its own process (its own HTTP session, RPC client,
database client), warms it, waits for the start, and works until the window's end.

An operation returns what it made (a message's id) or None; the window's answer lists every
id, so the bench can wait for what each message causes (mails, bell items) to be done.
"""

import multiprocessing
import queue
import time
import traceback
from dataclasses import dataclass, field

# spawn, not fork: the bench process holds threads and open pymongo and AMQP clients, which a
# forked child must not inherit.
CONTEXT = multiprocessing.get_context("spawn")
READY_TIMEOUT_S = 120.0


@dataclass
class Window:
    """One window's work, as the clients did it."""

    began: float  # time.time() at the start
    ended: float  # when the last operation begun in the window ended
    times_ms: list[float] = field(default_factory=list)
    made: list[str] = field(default_factory=list)  # what the operations made (message ids)
    warm_up_made: list[str] = field(default_factory=list)
    cpu_s: float = 0.0  # the clients' own CPU inside the window

    @property
    def operations(self) -> int:
        return len(self.times_ms)


class Clients:
    """`count` client processes, reused window after window."""

    def __init__(self, count: int):
        self.count = count
        # The window's times, read by the clients once `started` is set.
        self.start_at = CONTEXT.Value("d", 0.0)
        self.stop_at = CONTEXT.Value("d", 0.0)
        self.started = CONTEXT.Event()
        self.answers = CONTEXT.Queue()
        self.orders = [CONTEXT.Queue() for _ in range(count)]
        self.processes = [
            CONTEXT.Process(
                target=_serve,
                args=(number, orders, self.answers, self.started, self.start_at, self.stop_at),
                daemon=True,
            )
            for number, orders in enumerate(self.orders)
        ]
        for process in self.processes:
            process.start()

    def window(self, operation: str, settings: list[dict], seconds: float, before_start=None) -> Window:
        """Each client runs `operation` (a name in OPERATIONS) made with its own settings for
        `seconds`. `before_start(warm_up_made)` runs once every client is warm, before the
        clock starts (the bench waits there for the warm-up's own consequences)."""
        assert len(settings) == self.count
        self.started.clear()
        for orders, mine in zip(self.orders, settings):
            orders.put((operation, mine))
        warm = []
        for _ in range(self.count):
            kind, *rest = self._answer()
            if kind == "failed":
                raise RuntimeError(f"a client could not start: {rest[0]}")
            warm += rest[0]
        if before_start is not None:
            before_start(warm)
        began = time.time() + 0.05
        self.start_at.value, self.stop_at.value = began, began + seconds
        self.started.set()
        window = Window(began=began, ended=began, warm_up_made=warm)
        failures = []
        for _ in range(self.count):
            kind, *rest = self._answer()
            if kind == "failed":
                failures.append(rest[0])
                continue
            times, made, ended, cpu = rest
            window.times_ms += times
            window.made += made
            window.ended = max(window.ended, ended)
            window.cpu_s += cpu
        if failures:
            raise RuntimeError(f"{len(failures)} clients failed, the first: {failures[0]}")
        return window

    def _answer(self):
        try:
            return self.answers.get(timeout=READY_TIMEOUT_S + 600)
        except queue.Empty:
            raise RuntimeError("a client did not answer") from None

    def close(self) -> None:
        for orders in self.orders:
            orders.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def _serve(number: int, orders, answers, started, start_at, stop_at) -> None:
    made_before: dict = {}  # operations built in earlier windows, by name and settings
    while True:
        order = orders.get()
        if order is None:
            return
        name, settings = order
        try:
            key = (name, repr(sorted(settings.items())))
            if key not in made_before:
                made_before[key] = OPERATIONS[name](settings)
            operation = made_before[key]
            warm = operation()
        except Exception:
            answers.put(("failed", traceback.format_exc(limit=3)))
            continue
        answers.put(("ready", [warm] if warm else []))
        started.wait()
        begin, end = start_at.value, stop_at.value
        time.sleep(max(begin - time.time(), 0.0))  # every client starts at the same moment
        cpu_before = time.process_time()
        times, made, ended = [], [], time.time()
        try:
            while time.time() < end:
                began = time.perf_counter()
                result = operation()
                times.append((time.perf_counter() - began) * 1000)
                ended = time.time()
                if result:
                    made.append(result)
        except Exception:
            answers.put(("failed", traceback.format_exc(limit=3)))
            continue
        answers.put(("done", times, made, ended, time.process_time() - cpu_before))


# operations ----------------------------------------------------------------------------------


def post_messages(settings: dict):
    """POST each of `thread_ids` in turn (round again when they run out) with `body`: the
    system's gateway, or the single-process alternative (bench/alternative.py). Each post
    answers "thread_id message_id"."""
    import requests

    session = requests.Session()
    headers = {"Authorization": settings["authorization"]}
    threads = settings["thread_ids"]
    turn = [0]

    def post():
        thread_id = threads[turn[0] % len(threads)]
        turn[0] += 1
        answer = session.post(
            f"{settings['url']}/v1/threads/{thread_id}/messages",
            json={"body": settings["body"]},
            headers=headers,
            timeout=60,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"POST answered {answer.status_code}: {answer.text[:300]}")
        return f"{thread_id} {answer.json()['id']}"

    return post


def floor_post(settings: dict):
    """The floor of a post: one bare RPC round trip and one insert of the message's document,
    with the services' own database client settings (the same write concern)."""
    from types import SimpleNamespace

    from nameko.standalone.rpc import ClusterRpcProxy

    from bench.floors import message_document
    from services.common.mongo import connect

    proxy = ClusterRpcProxy({"AMQP_URI": settings["amqp_uri"]}, timeout=60).start()
    messages = connect(SimpleNamespace(MONGO_URI=settings["mongo_uri"]))[settings["db_name"]].messages

    def post():
        proxy.bench_echo.echo(settings["caller"], settings["thread_id"], {"body": settings["body"]})
        messages.insert_one(message_document(settings["thread_id"], settings["body"]))
        return None

    return post


OPERATIONS = {"post_messages": post_messages, "floor_post": floor_post}
