"""Events go out after the write they describe is committed (the outbox kept on the message)."""

import logging
from collections import deque

from prometheus_client import Counter, Gauge

from services.common.clock import now
from services.common.events import THREAD_READ

from . import presenters
from .records import Message, Thread

log = logging.getLogger(__name__)

# Messages whose events were due (past their relay grace) and not out at the relay's last tick:
# above 0 for long, the broker refuses them (alert OutboxBacklogGrowing).
BACKLOG = Gauge("message_center_outbox_backlog", "Messages whose events are due and not yet published")
# Publishes in flight at once for an announcement (each waits for its confirm; kombu's pool of
# producers holds 10 a process by default).
PUBLISHERS = 8
RELAYED = Counter("message_center_events_relayed_total", "Events published by the relay, not by their request")


class Outbox:
    """A message keeps the names of its unpublished events until they are out; the relay
    (service timer) retries the rest.

    A request does not wait for them: `publish` hands the events to a green thread of the
    service's (`spawn`) and the answer goes back at once, without waiting for the broker's
    confirm. A process that stops first leaves them to the relay.

    Messages whose events went out are marked so in one write per relay tick rather than one
    per message: a process that dies first leaves at most a second of marks unwritten, and
    those events go out again, which consumers tolerate (they key what they do by message).
    """

    def __init__(self, store, dispatch, published: list, spawn):
        self.store = store
        self.dispatch = dispatch
        self.published = published
        self.spawn = spawn

    def publish(self, thread: Thread, message: Message) -> None:
        self.spawn(lambda: self.publish_now(thread, message))

    def publish_now(self, thread: Thread, message: Message) -> bool:
        """False when the broker did not take the events: the message keeps them for the relay."""
        payload = presenters.event(thread, message)
        try:
            for name in message["pending_events"]:
                self.dispatch(name, payload)
        except Exception as error:
            log.warning("event for message %s not published (%s); the relay will retry", message["id"], error)
            return False
        self.published.append(message["id"])
        return True

    def publish_all(self, written: list[tuple[Thread, Message]]) -> list[str]:
        """Publish many messages' events (an announcement's), PUBLISHERS at a time; the ids
        of the messages whose events did not go out (the broker away), for the relay.

        Each publish waits for the broker's confirm: one after the other, an announcement to
        300 vendors spent 3 s waiting and a tenth of that working (bench/, profiled). Once one
        publish fails, the rest are left to the relay too: the broker is away for all of them."""
        waiting = deque(written)
        not_out: list[str] = []

        def publisher() -> None:
            while waiting:
                thread, message = waiting.popleft()
                if not self.publish_now(thread, message):
                    not_out.append(message["id"])
                    not_out.extend(left["id"] for _, left in waiting)
                    waiting.clear()

        started = [self.spawn(publisher) for _ in range(min(PUBLISHERS, len(written)))]
        for each in started:
            if each is not None:  # a spawn that ran the work at once returns nothing to wait for
                each.wait()
        return not_out

    def read(self, thread: Thread, side: str, at) -> None:
        """Tell that a side read the thread (THREAD_READ), after the answer as a message's
        events go. Not kept for the relay: a lost one leaves bell items unread, which their
        reader marks read in the bell, and the next read of the thread tells again."""
        payload = presenters.read_event(thread, side, at)

        def tell():
            try:
                self.dispatch(THREAD_READ, payload)
            except Exception as error:
                log.warning("thread_read of thread %s not published (%s)", thread["id"], error)

        self.spawn(tell)

    def flush(self) -> None:
        marked = self.published[:]
        if marked:
            self.store.mark_published(marked)
            del self.published[: len(marked)]

    def relay(self, limit: int = 500) -> int:
        self.flush()
        published = 0
        due = self.store.unpublished_messages(now(), limit)
        BACKLOG.set(len(due))
        for message in due:
            thread = self.store.get(message["thread_id"])
            if thread is None:  # the thread write never happened; nothing to announce
                self.store.mark_published([message["id"]])
                continue
            if not self.publish_now(thread, message):
                break  # the broker is away: each further try would wait for it in turn
            published += 1
            RELAYED.inc()
        BACKLOG.set(len(due) - published)
        return published
