"""Event names and the services that dispatch them: the one list both sides import."""

CONVERSATIONS = "conversations"
CATALOG = "catalog_context"

THREAD_STARTED = "thread_started"
MESSAGE_POSTED = "message_posted"
# A customer's question unanswered for too long: level 1 reminds the vendor, level 2 tells the
# administration (services/conversations/reminders.py).
REPLY_OVERDUE = "reply_overdue"

VENDOR_DELETED = "vendor_deleted"
CUSTOMER_DELETED = "customer_deleted"
CONTEXT_CHANGED = "context_changed"
