"""The marketplace the bench measures, made in bulk: vendors, products, threads, messages.

A million messages cannot go through the API in the time a bench has, so they go straight
into MongoDB with insert_many. To be the documents the service would have written, they are
made by the service's own functions: rules.plan_thread plans each thread, model.new_thread
and model.new_message build the documents, rules.after_message (its MessageEffect applied as
the store's add_message applies it) moves the thread on with each message, and each message is stored as it is once
its events are out (no pending_events, no relay_after). They leave here as the MongoDB adapter
writes them (services.common.mongo.document_of: the record's `id` as `_id`). Catalog records are kept in the shape
CatalogStore.save keeps them, with their context as the catalog's RPC answers it.

One vendor, VENDOR_ID, owns every thread: its inbox is the one measured. Each thread is
about a product (7 in 10, the customer asks), an order (2 in 10) or nothing (1 in 10, the
vendor writes to the administration; all but the first of these are closed, as a vendor has
one open thread with the administration); one in 25 of the rest is closed. Each has 1 to 19 messages (10 on
average), the sides taking turns, over a year.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from pymongo.errors import BulkWriteError

from services.catalog_context import context as catalog_context
from services.catalog_context.schemas import load_record
from services.contracts.catalog import Resolved
from services.catalog_context.store import COLLECTIONS
from services.common.caller import Caller
from services.common.clock import new_id, now
from services.common.config import load_settings
from services.common.events import MESSAGE_POSTED, THREAD_STARTED
from services.common.mongo import document_of
from services.conversations import broadcasts, model, reminders, rules, text
from services.conversations.mongo_words import split_words
from services.common.access import VENDOR_TO_ADMIN, VENDOR_TO_CUSTOMER

# The reminder and escalation waits the services run with (their defaults).
REMINDERS = reminders.Policy.from_settings(load_settings())

VENDOR_ID = "1"
VENDOR_EMAIL = "sales@bench-vendor.test"
PRODUCTS = 500
# A word in every tenth of the product questions: what a broad search looks for.
BROAD_WORD = "warranty"
ADJECTIVES = [
    "Brass",
    "Walnut",
    "Linen",
    "Copper",
    "Marble",
    "Velvet",
    "Cedar",
    "Ceramic",
    "Rattan",
    "Steel",
    "Amber",
    "Slate",
    "Indigo",
    "Ivory",
    "Juniper",
    "Maple",
    "Onyx",
    "Pewter",
    "Sage",
    "Teak",
]
NOUNS = [
    "Desk Lamp",
    "Side Table",
    "Armchair",
    "Throw",
    "Vase",
    "Mirror",
    "Bookcase",
    "Rug",
    "Pendant",
    "Stool",
    "Clock",
    "Planter",
    "Tray",
    "Cushion",
    "Shelf",
    "Bench",
    "Sconce",
    "Basket",
    "Candle",
    "Bowl",
]

CUSTOMER_FIRST = {
    "product": [
        "Hello, about the {name} ({code}): does it come assembled, and how long is delivery to Lyon?",
        "Hi! Is the {name} ({code}) available in a darker finish? I would need two of them.",
        "Good evening, what are the exact dimensions of the {name} ({code})? And is there a warranty?",
    ],
    "order": [
        "Hello, my order #{order} has not moved for three days. Could you check the tracking number?",
        "Hi, one item of order #{order} arrived scratched. Can you send a replacement or a refund?",
        "Could you change the delivery address of order #{order} to my office, please?",
    ],
}
CUSTOMER_LATER = [
    "Thank you for the quick answer!",
    "Great, then I will order it today.",
    "Could you also tell me the weight of the parcel?",
    "It still has not arrived, any news?",
    "Perfect, thanks a lot.",
    "Does the warranty cover transport damage?",
    "Can I pay by bank transfer?",
    "I sent you the photos by mail, have a look please.",
]
VENDOR_LINES = [
    "Hello and thank you for your message! Yes, it ships fully assembled within 2 working days.",
    "We have it in stock in walnut and black oak; delivery takes 3 to 5 days.",
    "I checked with the carrier: the parcel is on its way, tracking https://track.example/AB123.",
    "Sorry about that! We are sending a replacement today, no need to return the damaged one.",
    "The parcel weighs 12 kg, dimensions 80 x 40 x 30 cm.",
    "Yes, a two-year warranty covers it, transport damage included.",
    "Of course, the address is changed. You will get a new confirmation mail.",
    "Bank transfer is fine; the details are on your invoice.",
]
VENDOR_TO_ADMIN_LINES = [
    "Hello, our payout for last month is still pending. Could you check it?",
    "We would like to add a new shipping zone for Switzerland. Is that possible?",
    "A customer keeps sending abusive messages, could you step in?",
    "Thanks, that solved it.",
]
ADMIN_LINES = [
    "Hello, we looked into it: the payout goes out tomorrow morning.",
    "Yes, you can add it in the shipping settings of your vendor panel.",
    "We have blocked the account and will follow up by mail.",
]
# The long thread (bench/run.py long_thread): this many messages of this many distinct words.
LONG_THREAD_MESSAGES = 1000
LONG_MESSAGE_WORDS = 1600
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SUBJECTS = ["Payout for last month", "New shipping zone", "An abusive customer", "Commission rates"]


def product_record(number: int, at) -> dict:
    name = f"{ADJECTIVES[number % 20]} {NOUNS[number // 20 % 20]} {number // 400 + 1}"
    code = f"BV{number:04d}"  # one word each: a search for it finds one product's threads
    record = load_record(
        "product",
        {
            "product_id": str(1000 + number),
            "product": name,
            "product_code": code,
            "price": "129.00",
            "company_id": VENDOR_ID,
            "status": "A",
            "main_pair": {"detailed": {"image_path": f"https://shop.example/images/{1000 + number}.jpg"}},
        },
    )
    return {**record, "source": "pushed", "fetched_at": at, "updated_at": at}


def vendor_record(company_id: str, at) -> dict:
    email = VENDOR_EMAIL if company_id == VENDOR_ID else f"sales@vendor-{company_id}.test"
    record = load_record(
        "company", {"company_id": company_id, "company": f"Vendor {company_id}", "email": email, "status": "A"}
    )
    return {**record, "source": "pushed", "fetched_at": at, "updated_at": at}


def load_catalog(db, vendors: int, at) -> list[dict]:
    """The vendors (VENDOR_ID among them) and VENDOR_ID's products; the products' records."""
    db[COLLECTIONS["company"]].insert_many(
        [document_of(vendor_record(str(n), at)) for n in range(1, vendors + 1)], ordered=False
    )
    products = [product_record(number, at) for number in range(PRODUCTS)]
    db[COLLECTIONS["product"]].insert_many([document_of(record) for record in products], ordered=False)
    return products


def customer_of(number: int) -> Caller:
    return Caller(
        user_id=f"c-{number}", role="customer", name=f"Customer {number}", email=f"customer{number}@bench.test"
    )


VENDOR = Caller(
    user_id="v-1", role="vendor", company_id=VENDOR_ID, name="Vera (Bench Vendor)", email="vera@bench-vendor.test"
)
ADMIN = Caller(user_id="a-1", role="admin", name="Marketplace admin", email="admin@marketplace.test")


class Generator:
    """Thread after thread, each with its messages, numbered from 0 so stages add on."""

    def __init__(self, products: list[dict], seed: int = 6):
        settings = load_settings()
        self.links = catalog_context.Links(settings.STOREFRONT_URL, settings.PORTAL_URL)
        self.products = products
        self.random = random.Random(seed)
        self.prepared = {}
        self.next_number = 0
        self.end = now() - timedelta(hours=1)
        # A rare word (one product's code) and a broad one, and how many threads hold each.
        self.rare_word = products[7]["code"].lower()
        self.holding = {self.rare_word: 0, BROAD_WORD: 0}
        self.threads = 0

    def share(self, word: str) -> float:
        return round(self.holding[word] / max(self.threads, 1), 5)

    def _prepare(self, body: str) -> dict:
        if body not in self.prepared:
            self.prepared[body] = text.prepare(body)
        return self.prepared[body]

    def _resolved(self, object_type: str, record: dict) -> dict:
        # What the catalog's `resolve` RPC answers (Resolved, dumped), which the service keeps.
        return Resolved().dump(catalog_context.resolved(object_type, record, self.links, False))

    def thread(self) -> tuple[dict, list[dict]]:
        number = self.next_number
        self.next_number += 1
        kind = number % 10
        customer = customer_of(number)
        if kind < 7:
            product = self.products[self.random.randrange(len(self.products))]
            starter, request = (
                customer,
                {"type": VENDOR_TO_CUSTOMER, "object": {"type": "product", "id": product["id"]}},
            )
            resolved = self._resolved("product", product)
            first = self.random.choice(CUSTOMER_FIRST["product"]).format(name=product["name"], code=product["code"])
            turns = (customer, VENDOR)
        elif kind < 9:
            order_id = str(500000 + number)
            order = load_record(
                "order",
                {
                    "order_id": order_id,
                    "company_id": VENDOR_ID,
                    "user_id": customer.user_id,
                    "total": "258.00",
                    "timestamp": 1760000000 + number,
                    "status": "P",
                    "firstname": "Customer",
                    "lastname": str(number),
                    "email": customer.email,
                    "phone": "+33 1 00 00 00 00",
                    "products": [
                        {
                            "product_id": self.products[number % PRODUCTS]["id"],
                            "product": "Item",
                            "amount": 2,
                            "price": "129.00",
                        }
                    ],
                },
            )
            order.update(source="pushed", fetched_at=self.end, updated_at=self.end)
            starter, request = customer, {"type": VENDOR_TO_CUSTOMER, "object": {"type": "order", "id": order_id}}
            resolved = self._resolved("order", order)
            first = self.random.choice(CUSTOMER_FIRST["order"]).format(order=order_id)
            turns = (customer, VENDOR)
        else:
            starter = VENDOR
            request = {
                "type": VENDOR_TO_ADMIN,
                "object": {"type": "none", "id": None},
                "subject": self.random.choice(SUBJECTS),
            }
            resolved = None
            first = self.random.choice(VENDOR_TO_ADMIN_LINES)
            turns = (VENDOR, ADMIN)
        plan = rules.plan_thread(starter, request, resolved, None)
        count = 1 + number * 7 % 19  # 1 to 19, ten on average
        started = self.end - timedelta(days=365) + timedelta(seconds=self.random.uniform(0, 362 * 86400))
        at = _ms(started)
        thread = model.new_thread(plan, rules.open_key(plan), resolved, at, new_id())
        messages = [self._first(thread, starter, self._prepare(first), at)]
        for index in range(1, count):
            at = _ms(at + timedelta(minutes=self.random.uniform(1, 240)))
            author = turns[index % 2]
            lines = (
                VENDOR_LINES
                if author is VENDOR and kind < 9
                else ADMIN_LINES
                if author is ADMIN
                else VENDOR_TO_ADMIN_LINES
                if author is VENDOR
                else CUSTOMER_LATER
            )
            messages.append(self._append(thread, author, self._prepare(self.random.choice(lines)), at))
        if messages[-1]["author"]["side"] == "vendor" or self.random.random() < 0.5:
            # The vendor has opened it since (threads.mark_read).
            thread["unread"]["vendor"] = 0
            thread["read_at"]["vendor"] = _ms(at + timedelta(minutes=5))
        if number % 25 == 0 or (kind == 9 and number > 9):
            # Closed (store.set_status): the open key goes, so a new question starts a new thread.
            # A vendor has one open thread with the administration (its open key says so):
            # the earlier ones are closed.
            thread["status"] = "closed"
            thread["updated_at"] = _ms(at + timedelta(minutes=10))
            thread.pop("open_key", None)
        thread["reminded_level"] = reminded_level(thread, self.end)
        self.threads += 1
        held = {word for message in messages for word in message["words"]}
        for word in self.holding:
            if word in held:
                self.holding[word] += 1
        return document_of(thread), [document_of(message) for message in messages]

    def long_body(self, words: int = LONG_MESSAGE_WORDS) -> str:
        """A message of `words` distinct words never seen before, near the length limit: the
        message that made a thread's search words grow until it could not be written."""
        return " ".join("".join(self.random.choices(LETTERS, k=5)) for _ in range(words))

    def thread_of(self, bodies: list[str]) -> tuple[dict, list[dict]]:
        """An open question about a product holding these messages, the customer and the
        vendor taking turns, the last a minute ago."""
        customer = customer_of(self.next_number)
        self.next_number += 1
        product = self.products[self.random.randrange(len(self.products))]
        resolved = self._resolved("product", product)
        request = {"type": VENDOR_TO_CUSTOMER, "object": {"type": "product", "id": product["id"]}}
        plan = rules.plan_thread(customer, request, resolved, None)
        at = _ms(now() - timedelta(minutes=1 + len(bodies)))
        # No open key: bench threads of the same customer and product may stand side by side.
        thread = model.new_thread(plan, None, resolved, at, new_id())
        messages = [self._first(thread, customer, text.prepare(bodies[0]), at)]
        for index, body in enumerate(bodies[1:], 1):
            at = _ms(at + timedelta(minutes=1))
            messages.append(self._append(thread, (customer, VENDOR)[index % 2], text.prepare(body), at))
        return document_of(thread), [document_of(message) for message in messages]

    def _first(self, thread, caller, prepared, at):
        # As threads.start_thread writes a new thread and its first message.
        message = _published(
            model.new_message(thread, caller, prepared, at, [THREAD_STARTED, MESSAGE_POSTED], new_id())
        )
        rules.after_message(thread, caller.side, at).apply_to(thread, message)
        return message

    def _append(self, thread, caller, prepared, at):
        # As messages.append and the store's add_message move a thread on (its MessageEffect).
        message = _published(model.new_message(thread, caller, prepared, at, [MESSAGE_POSTED], new_id()))
        rules.after_message(thread, caller.side, at).apply_to(thread, message)
        return message


def _ms(moment):
    # MongoDB keeps milliseconds; clock.now() cuts to them, so must we.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _published(message: dict) -> dict:
    # Once its events are out, a message loses its outbox fields (store.mark_published).
    message.pop("pending_events", None)
    message.pop("relay_after", None)
    return message


class Loader:
    """insert_many in batches of 500 threads (and their messages), one batch going in while
    the next is made. More batches at once load slower on the embedded server (1,500 against
    2,300 messages a second, threads included, measured on the 2-core machine)."""

    BATCH_THREADS = 500
    IN_FLIGHT = 1

    def __init__(self, db, generator: Generator, on_thread=None):
        self.db = db
        self.generator = generator
        # Told (thread id, customer number) of each open customer ↔ vendor thread loaded.
        self.on_thread = on_thread or (lambda found: None)
        self.threads = 0
        self.messages = 0
        self.pool = ThreadPoolExecutor(max_workers=self.IN_FLIGHT)
        self.slots = threading.Semaphore(self.IN_FLIGHT * 2)

    def load_until(self, messages: int) -> None:
        """Add threads until the database holds at least `messages` bulk-loaded messages."""
        pending = []
        while self.messages < messages:
            threads, bodies = [], []
            while len(threads) < self.BATCH_THREADS and self.messages < messages:
                thread, its_messages = self.generator.thread()
                threads.append(thread)
                bodies += its_messages
                self.threads += 1
                self.messages += len(its_messages)
                if thread["type"] == VENDOR_TO_CUSTOMER and thread["status"] == "open":
                    self.on_thread((thread["_id"], thread["customer_id"].removeprefix("c-")))
            pending.append(self._submit(self.db, bodies, insert_messages))
            pending.append(self._submit(self.db.threads, threads))
            for future in [future for future in pending if future.done()]:
                future.result()  # a failed batch stops the load here
                pending.remove(future)
        for future in pending:
            future.result()

    def _submit(self, target, documents, how=None):
        self.slots.acquire()
        future = self.pool.submit(how or insert, target, documents)
        future.add_done_callback(lambda _: self.slots.release())
        return future

    def close(self) -> None:
        # On an interrupt the batch going in is not waited for: the stack stops under it.
        self.pool.shutdown(wait=False, cancel_futures=True)


def insert_messages(db, messages) -> None:
    """Messages as the store writes them: each with its words beside it (mongo_words.split_words)."""
    split = [split_words(message) for message in messages]
    insert(db.message_words, [words for _, words in split])
    insert(db.messages, [stored for stored, _ in split])


def reminded_level(thread: dict, at) -> int:
    """The reminders a running marketplace has sent already for a question waiting for its
    vendor (services/conversations/reminders.py): a loaded year of threads would otherwise
    be reminded and escalated all at once while the bench measures."""
    if thread.get("awaiting_reply_from") != "vendor" or not thread.get("awaiting_since"):
        return 0
    waited = at - thread["awaiting_since"]
    return sum(waited >= wait for _, wait in REMINDERS.waits())


def insert(collection, documents) -> None:
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        # The full error lists every document refused: the first one says enough.
        first = error.details["writeErrors"][0]
        raise RuntimeError(
            f"{len(error.details['writeErrors'])} {collection.name} refused; the first: {first['errmsg']}"
        ) from None


def announcement_threads(vendors: int, admin: Caller, request: dict) -> tuple[list[dict], list[dict]]:
    """The threads and messages an announcement to vendors 1..`vendors` writes, made by broadcasts.broadcast and
    broadcasts.deliver_broadcast themselves: they are handed a store that keeps what it is asked
    to insert, and inserts nothing."""

    class Kept:
        threads = []
        messages = []

        def insert_broadcast(self, broadcast):
            pass

        def insert_threads(self, threads, messages):
            self.threads += threads
            self.messages += messages

        def hold_broadcast(self, broadcast_id, until):
            pass

        def broadcast_sent(self, broadcast_id, at):
            pass

    class Vendors:
        def list_vendors(self, status):
            return [
                {"company_id": str(n), "name": f"Vendor {n}", "email": f"sales@vendor-{n}.test", "status": "A"}
                for n in range(1, vendors + 1)
            ]

    class Unpublished:
        def publish_all(self, written):
            return []  # as if published: the floor publishes nothing

    kept = Kept()
    broadcasts.deliver_broadcast(kept, Unpublished(), broadcasts.broadcast(kept, Vendors(), admin, request))
    return [document_of(thread) for thread in kept.threads], [document_of(message) for message in kept.messages]
