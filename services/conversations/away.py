"""The away message: a vendor's automatic reply for a period (a holiday, a weekend).

A customer's first message in a conversation during the period is answered once, at once, as
the vendor, marked `automatic`. It tells the customer when to expect a person; it is not that
person's answer, so the thread still awaits the vendor's reply since the question, and the
response figures still wait for the first real answer (its MessageEffect keeps both, and leaves
the vendor's unread count alone: nobody at the vendor read the question).

Once per thread and period (a period is one setting of the message: setting it again starts a
new one): the store keeps the id of the thread's automatic reply in the period
(`claim_away_reply`), and a message with that id is written once. A request done again, or two
questions at once, send it once; if the request that claimed it stopped before sending it, the
next customer message in the thread (or the retry) sends it."""

from services.common import access
from services.common.caller import Caller
from services.common.clock import new_id, now
from services.common.errors import Forbidden, NotFound, Unavailable
from services.common.events import MESSAGE_POSTED

from . import model, moderation, rules, text
from .ports import MessageEffect
from .records import Message, Thread

AUTOMATIC_AUTHOR = "away-message"


def current(store, caller: Caller, company_id: str | None) -> dict | None:
    """The vendor's away message, or None: having none is an answer, not a missing thing (a page
    asks at every load, and a 404 would be an error in its console)."""
    company_id = company_id if caller.is_admin else caller.company_id
    if not company_id or not access.may_read_away_message(caller, company_id):
        raise Forbidden("A vendor's staff read their company's away message; the administration names the vendor.")
    away = store.get_away_message(company_id)
    return None if away is None else shown(away)


def put(store, catalog, caller: Caller, request: dict) -> dict:
    if not access.may_set_away_message(caller):
        raise Forbidden("A vendor's staff who answer customers set their company's away message.")
    prepared = text.prepare(request["body"])  # refused now, not when a customer writes
    away = {
        "_id": caller.company_id,
        "company_id": caller.company_id,
        "body": request["body"].strip(),
        "prepared": prepared,
        "starts_at": request["date_from"],
        "ends_at": request["date_to"],
        # Setting it again starts a new period: each thread may be answered once more.
        "period": new_id(),
        "author_name": _vendor_name(catalog, caller),
        "set_by": caller.user_id,
        "updated_at": now(),
    }
    return shown(store.put_away_message(away))


def clear(store, caller: Caller) -> None:
    if not access.may_set_away_message(caller):
        raise Forbidden("A vendor's staff who answer customers set their company's away message.")
    if not store.delete_away_message(caller.company_id):
        raise NotFound("This vendor has no away message.")


def follow_up(
    store, outbox, thread: Thread | None, message: Message | None, screening: "moderation.Rules"
) -> Message | None:
    """After a customer's message is delivered: the automatic reply, when the vendor is away
    and the thread has had none in this period; masked where vendors' messages are screened
    (moderation.py). The automatic message, or None."""
    if thread is None or message is None or message["author"]["side"] != "customer" or not thread.get("company_id"):
        return None
    if moderation.withheld(message):  # the vendor has not seen it: nothing to answer yet
        return None
    away = store.get_away_message(thread["company_id"])
    if away is None or not away["starts_at"] <= message["created_at"] < away["ends_at"]:
        return None
    # The thread's one automatic reply in this period: this one, or the one an earlier message
    # (or an earlier attempt of this request) claimed, sent here if that attempt stopped first.
    reply_id = store.claim_away_reply(thread["id"], away["period"], new_id())
    if reply_id is None or store.get_message(reply_id) is not None:
        return None
    vendor = Caller(AUTOMATIC_AUTHOR, "vendor", company_id=thread["company_id"], name=away["author_name"])
    at = now()
    screened = moderation.screen(screening, thread, "vendor", away["prepared"], automatic=True)
    automatic = model.new_message(thread, vendor, screened.prepared, at, [MESSAGE_POSTED], reply_id)
    automatic["automatic"] = True
    if screened.finding:
        moderation.keep(store, screened, automatic, thread)
    if not store.insert_message(automatic):
        return store.get_message(reply_id)  # sent by an earlier attempt of this request
    effect = MessageEffect(
        at=at,
        author_side="vendor",
        notified_sides=tuple(side for side in rules.sides(thread["type"]) if side != "vendor"),
        # The vendor still owes the answer, since the question: no first reply either.
        awaiting_reply_from=thread.get("awaiting_reply_from"),
        awaiting_since=thread.get("awaiting_since"),
        author_reads=False,
    )
    updated = store.add_message(thread, automatic, effect)
    if updated is None:  # deleted a moment ago
        store.remove_message(reply_id)
        return None
    outbox.publish(updated, automatic)
    return automatic


def _vendor_name(catalog, caller: Caller) -> str:
    """The automatic reply speaks as the vendor, not as the person who set it up."""
    try:
        return catalog.get_vendor(caller.company_id).get("name") or caller.name
    except (NotFound, Unavailable):
        return caller.name


def shown(away: dict) -> dict:
    at = now()
    return {
        "company_id": away["company_id"],
        "body": away["body"],
        "date_from": away["starts_at"],
        "date_to": away["ends_at"],
        "active": away["starts_at"] <= at < away["ends_at"],
        "updated_at": away["updated_at"],
    }
