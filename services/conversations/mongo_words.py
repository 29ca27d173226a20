"""A message's search words as MongoDB keeps them: a document of their own beside the message
(`message_words`), written by the store (mongo_store.py) and by the migration that moved older
messages' words there (mongo_migrations.py)."""


def split_words(message: dict) -> tuple[dict, dict]:
    """A message as stored, and its search words as a document of their own (`message_words`).

    The words live beside the message, not in it: a message's document is written again after
    its insert (its events marked published, later moderation), and some servers write every
    index entry of a document again on any update of it, 2 × 1,600 for a long message, which
    held the embedded server's messages collection for seconds. A words document is written
    once, with its message, and removed with it; it carries what a search filters on."""
    stored = {name: value for name, value in message.items() if name != "words"}
    words = {
        "_id": message["_id"],
        "thread_id": message["thread_id"],
        "created_at": message["created_at"],
        "company_id": message.get("company_id"),
        "customer_id": message.get("customer_id"),
        "words": message.get("words", []),
    }
    return stored, words
