"""Event names and the services that dispatch them: the one list both sides import."""

CONVERSATIONS = "conversations"
CATALOG = "catalog_context"
NOTIFICATIONS = "notifications"

THREAD_STARTED = "thread_started"
MESSAGE_POSTED = "message_posted"
# A customer's question unanswered for too long: level 1 reminds the vendor, level 2 tells the
# administration (services/conversations/reminders.py).
REPLY_OVERDUE = "reply_overdue"
# A side read a thread (the conversations service keeps the read state): its bell items are read.
THREAD_READ = "thread_read"
# A bell's items changed (notifications): written (`rung`) or read (`read`); push tells the
# owners' open pages, whose bell then refetches.
BELL_CHANGED = "bell_changed"

VENDOR_DELETED = "vendor_deleted"
CUSTOMER_DELETED = "customer_deleted"
CONTEXT_CHANGED = "context_changed"
