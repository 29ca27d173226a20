"""One customer writing long messages to one thread cannot make it grow: the thread document
stays the size it was, however many words its messages hold, and search still finds any word
of any of them (the words live on each message, not on the thread)."""
import random

import bson

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def long_message(draw: random.Random) -> str:
    """1,600 distinct words never seen before, near the length limit of a message."""
    return " ".join("".join(draw.choices(LETTERS, k=5)) for _ in range(1600))


def test_long_messages_leave_the_thread_document_its_size_and_every_word_findable(world):
    draw = random.Random(12)
    shop = world.vendor("shop")
    vendor = world.staff(shop)
    customer, _ = world.customer("ann")
    first = long_message(draw)
    thread_id = world.ask(customer, "company", shop, first)
    size_after_one = len(bson.encode(world.stack.db.threads.find_one({"_id": thread_id})))
    bodies = [long_message(draw) for _ in range(6)]
    for body in bodies:
        world.post(customer, thread_id, body)
    size_after_seven = len(bson.encode(world.stack.db.threads.find_one({"_id": thread_id})))
    # The last message's preview and the counters change; nothing grows with the words.
    assert size_after_seven < size_after_one + 200, (size_after_one, size_after_seven)
    for word in (first.split()[0], bodies[2].split()[700], bodies[-1].split()[-1]):
        assert [item["id"] for item in world.inbox(vendor, q=word)["items"]] == [thread_id]
        assert [item["id"] for item in world.inbox(customer, q=word)["items"]] == [thread_id]
    # Words of two messages together find the thread; a word nobody wrote finds nothing.
    assert [item["id"] for item in world.inbox(vendor, q=f"{first.split()[5]} {bodies[-1].split()[5]}")["items"]] \
        == [thread_id]
    assert world.inbox(vendor, q="zzzzzzzz")["items"] == []
