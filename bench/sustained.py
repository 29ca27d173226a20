"""Sustained throughput, end to end: messages a second from the first post to the last message
stored, mailed and belled.

Clients (bench/clients.py, processes of their own) post for a window; the clock does not stop
when the posts are answered but when the last of what they cause is done: for the system,
every message's bell item written and every mail about it accepted by the SMTP server (the
notifications service works after the answer); for the single-process alternative, its
background thread's last mail sent; for the floor, the last insert. The finishing time is read
from the documents themselves (`sent_at`, `created_at`), so how often the bench looks does not
move it. Windows of the system, the alternative and the floor take turns, so all three see the
same machine.

CPU: every process a contender uses, from the window's start to its last message done, the
broker (beam.smp) and the database included; the clients' own CPU is reported beside it, not
in it. The warm-up posts are done, and their consequences with them, before the window's
clock and CPU start.
"""

import statistics
import time
from datetime import datetime

from . import clients as load
from . import floors
from .measure import percentile

# What each contender runs on (the names Stack.cpu_seconds gives).
SHARED = ("database (SecantusDB)", "broker (beam.smp)")
SYSTEM = ("conversations", "catalog_context", "notifications", "gateway", "push", "inbound_mail", "mail sink")
ALTERNATIVE = ("alternative", "mail sink")
FLOOR = ("bench_echo",)
CONTENDERS = {"system": SYSTEM, "alternative": ALTERNATIVE, "floor": FLOOR}
DONE_TIMEOUT_S = 600.0
LOOK_EVERY_S = 0.5


def run(bench, pool: load.Clients, windows: int, window_s: float) -> dict:
    """`windows` windows of each contender, in turn; their rates, latencies and CPU."""
    found = {name: [] for name in CONTENDERS}
    for _ in range(windows):
        found["system"].append(_window(bench, pool, "system", window_s))
        found["alternative"].append(_window(bench, pool, "alternative", window_s))
        found["floor"].append(_window(bench, pool, "floor", window_s))
    summary = {name: _summary(rows) for name, rows in found.items()}
    ours, alternative, floor = summary["system"], summary["alternative"], summary["floor"]
    return {
        **summary,
        "clients": pool.count,
        "window_s": window_s,
        "ratio": _ratio(ours["per_second"], floor["per_second"]),
        "ratio_to_alternative": _ratio(ours["per_second"], alternative["per_second"]),
        "cpu_ratio": _ratio(ours["cpu_ms_per_message"]["total"], floor["cpu_ms_per_message"]["total"]),
        "cpu_ratio_to_alternative": _ratio(
            ours["cpu_ms_per_message"]["total"], alternative["cpu_ms_per_message"]["total"]
        ),
    }


def _window(bench, pool: load.Clients, contender: str, window_s: float) -> dict:
    settings = _settings(bench, pool.count, contender)
    before = {}

    def warm_and_quiet(warm_up_made):
        # The warm-up's consequences are not the window's: done before its clock and CPU.
        _finished(bench, contender, warm_up_made)
        before.update(bench.stack.cpu_seconds())

    operation = "floor_post" if contender == "floor" else "post_messages"
    window = pool.window(operation, settings, window_s, before_start=warm_and_quiet)
    finished = max(window.ended, _finished(bench, contender, window.made))
    after = bench.stack.cpu_seconds()
    if contender == "floor":
        bench.db.messages.delete_many({"thread_id": floors.FLOOR_THREAD})
    if contender == "system":
        with bench.lock:
            bench.posted += len(window.made) + len(window.warm_up_made)
    used = {
        name: after.get(name, 0.0) - before.get(name, 0.0) for name in CONTENDERS[contender] + SHARED if name in after
    }
    return {
        "messages": window.operations,
        "posting_s": round(window.ended - window.began, 3),
        "done_s": finished - window.began,
        "times_ms": window.times_ms,
        "cpu_s": used,
        "clients_cpu_s": window.cpu_s,
    }


def _settings(bench, count: int, contender: str) -> list[dict]:
    if contender == "floor":
        return [
            {
                "amqp_uri": bench.stack.vhost.uri,
                "mongo_uri": bench.stack.mongo_uri,
                "db_name": bench.stack.db_name,
                "caller": bench.vendor_caller,
                "thread_id": floors.FLOOR_THREAD,
                "body": bench.reply,
                "client": number,
            }
            for number in range(count)
        ]
    # Threads nobody has posted in (a mail about a thread mailed a moment ago waits for its
    # coalescing window by design, which is not the throughput measured here), of the posting
    # vendor: thousands of posts a stage would move the measured vendor's inbox.
    threads = bench.posting_threads(count * bench.threads_a_client)
    url = bench.url if contender == "system" else bench.stack.alternative_url
    authorization = bench.posting_auth["Authorization"]
    return [
        {
            "url": url,
            "authorization": authorization,
            "body": bench.reply,
            "thread_ids": threads[number::count],
        }
        for number in range(count)
    ]


def _finished(bench, contender: str, made: list[str], timeout: float = DONE_TIMEOUT_S) -> float:
    """When the last of `made` (each "thread_id message_id") was done end to end, as the
    documents say (seconds since the epoch); waits until they all are."""
    if contender == "floor" or not made:
        return 0.0
    threads = sorted({each.split(" ")[0] for each in made})
    messages = [each.split(" ")[1] for each in made]
    deadline = time.monotonic() + timeout
    while True:
        if contender == "system":
            done = _system_done(bench.db, threads, messages)
        else:
            done = _alternative_done(bench.db, messages)
        if done is not None:
            return done
        if time.monotonic() > deadline:
            raise TimeoutError(f"{contender}: {len(messages)} messages not done end to end in {timeout} s")
        time.sleep(LOOK_EVERY_S)


def _system_done(db, threads: list[str], messages: list[str]) -> float | None:
    mails = list(
        db.notification_mails.find({"message_id": {"$in": messages}}, {"message_id": 1, "status": 1, "sent_at": 1})
    )
    if len({mail["message_id"] for mail in mails}) < len(messages):
        return None
    if any(mail["status"] == "failed" for mail in mails):
        raise RuntimeError("a mail failed: the run measures nothing")
    if any(mail["status"] != "sent" for mail in mails):
        return None
    # By thread alone, the messages picked out here: SecantusDB serves a filter by index only
    # when each of its fields leads one, and matches an $in by walking its list, so
    # {thread_id: {$in}, message_id: {$in}} would read every bell item against every id.
    wanted = set(messages)
    bells = [
        bell
        for bell in db.notifications.find({"thread_id": {"$in": threads}}, {"message_id": 1, "created_at": 1})
        if bell["message_id"] in wanted
    ]
    if len({bell["message_id"] for bell in bells}) < len(messages):
        return None
    return max(_seconds(document[field]) for document, field in _stamps(mails, bells))


def _alternative_done(db, messages: list[str]) -> float | None:
    mails = list(db.alternative_mails.find({"message_id": {"$in": messages}}, {"status": 1, "sent_at": 1}))
    if len(mails) < len(messages) or any(mail["status"] != "sent" for mail in mails):
        return None
    return max(_seconds(mail["sent_at"]) for mail in mails)


def _stamps(mails, bells):
    yield from ((mail, "sent_at") for mail in mails)
    yield from ((bell, "created_at") for bell in bells)


def _seconds(value: datetime) -> float:
    return value.timestamp()


def _summary(rows: list[dict]) -> dict:
    messages = sum(row["messages"] for row in rows)
    seconds = sum(row["done_s"] for row in rows)
    times = [value for row in rows for value in row["times_ms"]]
    spent = {}
    for row in rows:
        for name, value in row["cpu_s"].items():
            spent[name] = spent.get(name, 0.0) + value
    total = sum(spent.values())
    return {
        "per_second": messages / seconds if seconds else 0.0,
        "messages": messages,
        "seconds": seconds,
        "windows": [
            {"messages": row["messages"], "posting_s": row["posting_s"], "done_s": round(row["done_s"], 3)}
            for row in rows
        ],
        "answered_median_ms": statistics.median(times) if times else None,
        "answered_p95_ms": percentile(times, 0.95) if times else None,
        "cpu_ms_per_message": {
            "total": total * 1000 / max(messages, 1),
            **{
                name: round(value * 1000 / max(messages, 1), 2)
                for name, value in sorted(spent.items(), key=lambda item: -item[1])
            },
        },
        "clients_cpu_ms_per_message": sum(row["clients_cpu_s"] for row in rows) * 1000 / max(messages, 1),
    }


def _ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs else float("inf")
