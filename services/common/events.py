"""Event names and the services that dispatch them: the one list both sides import."""

CONVERSATIONS = "conversations"
CATALOG = "catalog_context"

THREAD_STARTED = "thread_started"
MESSAGE_POSTED = "message_posted"

VENDOR_DELETED = "vendor_deleted"
CUSTOMER_DELETED = "customer_deleted"
CONTEXT_CHANGED = "context_changed"
