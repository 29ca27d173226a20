"""Notifications: settings (who is told of what, by which channel), preferences, the in-app
bell, failed mail, webhooks, and a customer's data (export, erasure, retention).

What people send is read strictly: an unknown field is an error they should hear of.
"""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.common.answers import Answer
from services.common.events import MESSAGE_POSTED, THREAD_STARTED
from services.common.moments import Moment

from .json_types import Flag

# The vocabulary of the settings (services/notifications/rules.py decides with it).
EVENT_KINDS = ("customer_vendor_message", "order_message", "vendor_admin_message", "announcement")
SIDES = ("customer", "vendor", "admin")
CHANNELS = ("email", "in_app")
# A customer's data was erased (issue 25): receivers delete their copies of it. Its payload
# names the customer by id only: `{"customer_id", "erasure_id"}`.
CUSTOMER_ERASED = "customer_erased"
WEBHOOK_EVENTS = (MESSAGE_POSTED, THREAD_STARTED, CUSTOMER_ERASED)


# settings: rules, coalescing, retries -------------------------------------------------------


class Strict(Schema):
    class Meta:
        unknown = RAISE


class RetrySchema(Strict):
    attempts = fields.Integer(required=True, strict=True, validate=validate.Range(1, 20))
    first_delay_seconds = fields.Integer(required=True, strict=True, validate=validate.Range(1, 86400))
    max_delay_seconds = fields.Integer(required=True, strict=True, validate=validate.Range(1, 7 * 86400))


class NotificationSettingsSchema(Strict):
    """Event kind → receiving side → channels; the coalescing window; how mail and webhook
    deliveries are retried."""

    rules = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.OneOf(EVENT_KINDS)),
        values=fields.Dict(
            keys=fields.String(validate=validate.OneOf(SIDES)),
            values=fields.List(fields.String(validate=validate.OneOf(CHANNELS))),
        ),
    )
    coalesce_seconds = fields.Integer(required=True, strict=True, validate=validate.Range(0, 3600))
    retry = fields.Nested(RetrySchema, required=True)


# preferences ----------------------------------------------------------------------------------


class EmailPreferencesSchema(Strict):
    vendor_to_customer = Flag()
    vendor_to_admin = Flag()


class PreferencesSchema(Strict):
    """Whether the person wants mail per communication type (announcements always come)."""

    email = fields.Nested(EmailPreferencesSchema, required=True)


# the in-app bell -------------------------------------------------------------------------------


class NotificationQuerySchema(Strict):
    unread = fields.Boolean(
        allow_none=True, load_default=None, metadata={"description": "true: unread only; false: read only"}
    )
    cursor = fields.String(allow_none=True, load_default=None)
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class MarkReadSchema(Strict):
    ids = fields.List(fields.String(), allow_none=True, load_default=None, validate=validate.Length(max=500))
    all = Flag(load_default=False)

    class Meta(Strict.Meta):  # one_of_ids_or_all, for the document (gateway/body_rules.py)
        valid_when_any = [
            {"required": ["ids"], "properties": {"ids": {"type": "array", "minItems": 1}, "all": {"enum": [False]}}},
            {
                "required": ["all"],
                "properties": {"all": {"enum": [True]}},
                "not": {"required": ["ids"], "properties": {"ids": {"type": "array", "minItems": 1}}},
            },
        ]

    @validates_schema
    def one_of_ids_or_all(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ValidationError("Give either a list of ids or all: true.", "ids")


class NotificationAuthorSchema(Answer):
    side = fields.String()
    name = fields.String()


class NotificationSchema(Answer):
    id = fields.String()
    kind = fields.String()
    reason = fields.String(
        allow_none=True,
        metadata={
            "description": "absent for a message; `reply_reminder`: the vendor's reminder of a question unanswered, "
            "`reply_overdue`: the administration told of one (message_id is then the reminder's)"
        },
    )
    thread_id = fields.String()
    message_id = fields.String()
    title = fields.String(metadata={"description": "the product, order or subject"})
    author = fields.Nested(NotificationAuthorSchema)
    preview = fields.String()
    url = fields.String(metadata={"description": "the thread, in the reader's portal or storefront"})
    created_at = Moment()
    read = fields.Boolean()
    read_at = Moment(allow_none=True)


class NotificationPageSchema(Answer):
    items = fields.List(fields.Nested(NotificationSchema))
    next_cursor = fields.String(allow_none=True)
    unread_count = fields.Integer()


class MarkedSchema(Answer):
    marked = fields.Integer()
    unread_count = fields.Integer()


class FailedMailSchema(Answer):
    id = fields.String()
    message_id = fields.String()
    thread_id = fields.String()
    address = fields.String()
    side = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    failed_at = Moment()


class FailedPageSchema(Answer):
    items = fields.List(fields.Nested(FailedMailSchema))
    next_cursor = fields.String(allow_none=True)


class FailedQuerySchema(Strict):
    cursor = fields.String(allow_none=True, load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 100))


# webhooks --------------------------------------------------------------------------------------


class WebhookRegistrationSchema(Strict):
    url = fields.String(required=True, validate=validate.Length(max=2000))
    events = fields.List(
        fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)), required=True, validate=validate.Length(min=1)
    )
    secret = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(16, 200),
        metadata={"description": "HMAC key; one is made (and shown once) if absent"},
    )


class DeliveryResultSchema(Answer):
    at = Moment()
    event = fields.String()
    status = fields.String(metadata={"description": "delivered, retrying or failed"})
    attempts = fields.Integer()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class WebhookSchema(Answer):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    created_at = Moment()
    last_result = fields.Nested(DeliveryResultSchema, allow_none=True)
    recent_deliveries = fields.List(fields.Nested(DeliveryResultSchema))


class NewWebhookSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "shown here once; keep it to check signatures"})


class WebhookListSchema(Answer):
    items = fields.List(fields.Nested(WebhookSchema))


# reply by mail (the inbound process asks; services/notifications/replies.py answers) ---------------

ADDRESS_MAX = 320  # RFC 5321: a local part of 64, "@", a domain of 255


class ReplyAuthorQuery(Strict):
    """The address a reply was sent to, and the address it came from (its From)."""

    reply_address = fields.String(required=True, validate=validate.Length(min=3, max=ADDRESS_MAX))
    sender = fields.String(required=True, validate=validate.Length(min=3, max=ADDRESS_MAX))


class ReplyPost(ReplyAuthorQuery):
    """A reply to post as its author: the message as the conversations service takes one
    (`body`, `attachments`; it loads them itself), and the mail's own Idempotency-Key."""

    message = fields.Dict(required=True)
    idempotency_key = fields.String(required=True, validate=validate.Length(min=1, max=200))


class Poster(Schema):
    role = fields.String(required=True)
    user_id = fields.String(required=True)


class ReplyAuthor(Schema):
    """Whom a reply posts as: the thread, the side, and who that is (uploads are theirs)."""

    thread_id = fields.String(required=True)
    side = fields.String(required=True, validate=validate.OneOf(SIDES))
    poster = fields.Nested(Poster, required=True)


# a customer's data: export, erasure, and a thread's records at the end of retention --------------

EXPORT_KINDS = ("mail", "bell_item", "reply_address")
# An erasure names the customer's threads at once; the conversations service sends more in
# several calls (each finds only what is left).
ERASURE_THREADS_MAX = 10_000
THREADS_FORGOTTEN_MAX = 1_000


class CustomerExportQuery(Strict):
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    cursor = fields.String(allow_none=True, load_default=None)
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 1000))


class ExportItemSchema(Answer):
    """One record of the customer's, by `kind`; each kind has the fields named for it."""

    kind = fields.String(metadata={"description": "mail, bell_item or reply_address"})
    id = fields.String(metadata={"description": "mail, bell_item"})
    thread_id = fields.String()
    # a mail to the customer
    subject = fields.String(metadata={"description": "mail: its subject, as it was sent alone"})
    to = fields.String(metadata={"description": "mail: the address it went to"})
    planned_at = Moment(metadata={"description": "mail"})
    sent_at = Moment(allow_none=True, metadata={"description": "mail: null while not sent"})
    status = fields.String(metadata={"description": "mail: pending, sending, sent or failed"})
    # an item of the customer's bell
    at = Moment(metadata={"description": "bell_item"})
    title = fields.String(metadata={"description": "bell_item: the product, order or subject"})
    text = fields.String(metadata={"description": "bell_item: the preview it shows"})
    read = fields.Boolean(metadata={"description": "bell_item"})
    # a reply address made for the customer (not the reply address itself: that is a credential)
    address = fields.String(metadata={"description": "reply_address: the customer's own address it was made for"})
    name = fields.String(metadata={"description": "reply_address: the name it was made with"})
    made_at = Moment(allow_none=True, metadata={"description": "reply_address: null for one made before it was kept"})


class CustomerExportSchema(Answer):
    """One page: the mails, then the bell items, then the reply addresses; the preferences on
    the first page only."""

    preferences = fields.Nested(PreferencesSchema, allow_none=True)
    items = fields.List(fields.Nested(ExportItemSchema))
    next_cursor = fields.String(allow_none=True)


class ErasureRequest(Strict):
    """What the conversations service knows of the customer to erase: the names and addresses
    they are known by and their threads."""

    erasure_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    names = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)), load_default=list, validate=validate.Length(max=50)
    )
    emails = fields.List(
        fields.String(validate=validate.Length(min=1, max=ADDRESS_MAX)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    thread_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=ERASURE_THREADS_MAX),
    )


class ThreadsToForget(Strict):
    thread_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(max=THREADS_FORGOTTEN_MAX),
    )


class ForgottenSchema(Answer):
    """How many records this call removed (participants: threads whose staff list changed or went)."""

    mails = fields.Integer()
    bell_items = fields.Integer()
    read_marks = fields.Integer()
    participants = fields.Integer()
    reply_addresses = fields.Integer()
    webhook_deliveries = fields.Integer()
    events = fields.Integer()


class ErasedSchema(ForgottenSchema):
    preferences = fields.Integer()
    webhooks_told = fields.Integer(metadata={"description": "customer_erased calls planned by this call"})
