"""What crosses the notifications service's boundaries: events in, RPC arguments and answers.

RPC arguments and answers are the shared contract (services/contracts/notifications.py),
loaded once on entry with services.common.loading.load; the two checks that need this
service's own knowledge are added here. Events are read leniently (unknown fields are
ignored, so conversations can add to them).
"""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from services.contracts import notifications as contract

from . import rules
from .webhooks import url_problem


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


class AttachmentSchema(Lenient):
    id = fields.String(required=True)
    name = fields.String(required=True)
    size = fields.Integer(load_default=None)
    content_type = fields.String(load_default=None)


class MessageSchema(Lenient):
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list)
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


class ThreadReadEventSchema(Lenient):
    """thread_read: a side read the thread, up to `read_at`."""

    thread = fields.Nested(ThreadSchema, required=True)
    side = fields.String(required=True, validate=validate.OneOf(rules.SIDES))
    read_at = fields.AwareDateTime(required=True)


# checks the contract cannot make ------------------------------------------------------------


class NotificationSettingsSchema(contract.NotificationSettingsSchema):
    @validates_schema
    def sides_take_part(self, data, **kwargs):
        errors = rules.rule_errors(data.get("rules", {}))
        if errors:
            raise ValidationError(errors)


class WebhookRegistrationSchema(contract.WebhookRegistrationSchema):
    @validates_schema
    def reachable_url(self, data, **kwargs):
        problem = url_problem(data.get("url", ""))
        if problem:
            raise ValidationError(problem, "url")
