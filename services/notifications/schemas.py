"""What crosses the notifications service's boundaries: events in, RPC arguments and answers.

Events are read leniently (unknown fields are ignored, so conversations can add to them);
what people send is read strictly (an unknown field is an error they should hear of).
"""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_dump, validate, validates_schema

from services.common.clock import isoformat
from services.common.errors import ValidationFailed

from . import rules
from .webhooks import EVENTS as WEBHOOK_EVENTS, url_problem


def load(schema: Schema, data, **options) -> dict:
    """`schema.load`, with marshmallow's errors turned into the contract's 422."""
    try:
        return schema.load(data if data is not None else {}, **options)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ValidationFailed("The request has invalid fields.", messages)


class Moment(fields.Field):
    """A stored UTC time, dumped as the contract's ISO-8601 string (a string stays as it is)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else isoformat(value)


class Answer(Schema):
    """What leaves the service. A stored document's `_id` is the answer's `id`; dumping an
    answer again (the gateway does, to describe it in OpenAPI) gives it back unchanged."""

    @pre_dump
    def id_from_store(self, document, **kwargs):
        if isinstance(document, dict) and "_id" in document:
            return {**document, "id": document["_id"]}
        return document


# events from conversations -----------------------------------------------------------------

class Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class TargetSchema(Lenient):
    type = fields.String(required=True)
    id = fields.String(allow_none=True, load_default=None)


class ContextSchema(Lenient):
    title = fields.String(allow_none=True, load_default=None)
    image_url = fields.String(allow_none=True, load_default=None)
    url = fields.String(allow_none=True, load_default=None)


class CustomerSchema(Lenient):
    id = fields.String(required=True)
    name = fields.String(allow_none=True, load_default="")
    email = fields.String(allow_none=True, load_default="")


class ThreadSchema(Lenient):
    id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(rules.COMMUNICATION_TYPES))
    status = fields.String(load_default="open")
    subject = fields.String(allow_none=True, load_default="")
    object = fields.Nested(TargetSchema, required=True)
    company_id = fields.String(allow_none=True, load_default=None)
    customer = fields.Nested(CustomerSchema, allow_none=True, load_default=None)
    context = fields.Nested(ContextSchema, allow_none=True, load_default=None)


class AuthorSchema(Lenient):
    side = fields.String(required=True, validate=validate.OneOf(rules.SIDES))
    user_id = fields.String(allow_none=True, load_default=None)
    name = fields.String(allow_none=True, load_default="")
    email = fields.String(allow_none=True, load_default="")


class MessageSchema(Lenient):
    id = fields.String(required=True)
    thread_id = fields.String(required=True)
    author = fields.Nested(AuthorSchema, required=True)
    text = fields.String(allow_none=True, load_default="")
    created_at = fields.AwareDateTime(allow_none=True, load_default=None)


class MessageEventSchema(Lenient):
    """message_posted and thread_started: the thread, the message, and the announcement."""
    thread = fields.Nested(ThreadSchema, required=True)
    message = fields.Nested(MessageSchema, required=True)
    broadcast_id = fields.String(allow_none=True, load_default=None)


# settings: rules, coalescing, retries -------------------------------------------------------

class Strict(Schema):
    class Meta:
        unknown = RAISE


class RetrySchema(Strict):
    attempts = fields.Integer(required=True, validate=validate.Range(1, 20))
    first_delay_seconds = fields.Integer(required=True, validate=validate.Range(1, 86400))
    max_delay_seconds = fields.Integer(required=True, validate=validate.Range(1, 7 * 86400))


class NotificationSettingsSchema(Strict):
    """Event kind → receiving side → channels; the coalescing window; how mail and webhook
    deliveries are retried."""
    rules = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.OneOf(rules.EVENT_KINDS)),
        values=fields.Dict(keys=fields.String(validate=validate.OneOf(rules.SIDES)),
                           values=fields.List(fields.String(validate=validate.OneOf(rules.CHANNELS)))))
    coalesce_seconds = fields.Integer(required=True, validate=validate.Range(0, 3600))
    retry = fields.Nested(RetrySchema, required=True)

    @validates_schema
    def sides_take_part(self, data, **kwargs):
        errors = rules.rule_errors(data.get("rules", {}))
        if errors:
            raise ValidationError(errors)


# preferences ----------------------------------------------------------------------------------

class EmailPreferencesSchema(Strict):
    vendor_to_customer = fields.Boolean()
    vendor_to_admin = fields.Boolean()


class PreferencesSchema(Strict):
    """Whether the person wants mail per communication type (announcements always come)."""
    email = fields.Nested(EmailPreferencesSchema, required=True)


# the in-app bell -------------------------------------------------------------------------------

class NotificationQuerySchema(Strict):
    unread = fields.Boolean(allow_none=True, load_default=None,
                            metadata={"description": "true: unread only; false: read only"})
    cursor = fields.String(allow_none=True, load_default=None)
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class MarkReadSchema(Strict):
    ids = fields.List(fields.String(), allow_none=True, load_default=None,
                      validate=validate.Length(max=500))
    all = fields.Boolean(load_default=False)

    @validates_schema
    def one_of_ids_or_all(self, data, **kwargs):
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ValidationError("Give either a list of ids or all: true.", "ids")


class NotificationAuthorSchema(Answer):
    side = fields.String()
    name = fields.String()


class NotificationSchema(Answer):
    id = fields.String()
    kind = fields.String()
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
    events = fields.List(fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)), required=True,
                         validate=validate.Length(min=1))
    secret = fields.String(load_default=None, allow_none=True, validate=validate.Length(16, 200),
                           metadata={"description": "HMAC key; one is made (and shown once) if absent"})

    @validates_schema
    def reachable_url(self, data, **kwargs):
        problem = url_problem(data.get("url", ""))
        if problem:
            raise ValidationError(problem, "url")


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
