"""A customer's data on request (docs/privacy.md): the export's pages and the erasure.

The export's page is the conversations' part and the notifications' part put together by the
gateway; the erasure is the conversations service's record of it.
"""

from marshmallow import Schema, fields, validate

from services.common.answers import Answer
from services.common.moments import Moment

from .conversations import Message, ObjectRef
from .notifications import ExportItemSchema, PreferencesSchema

EXPORT_PAGE_MAX = 1000


class ExportQuery(Schema):
    cursor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    limit = fields.Integer(
        load_default=200,
        validate=validate.Range(min=1, max=EXPORT_PAGE_MAX),
        metadata={"description": "Conversations and messages (or mails and bell items) on one page."},
    )


class KnownAs(Answer):
    id = fields.String()
    names = fields.List(fields.String())
    emails = fields.List(fields.String())


class ExportedCustomer(Answer):
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class ExportedConversation(Answer):
    id = fields.String()
    type = fields.String()
    subject = fields.String(allow_none=True)
    object = fields.Nested(ObjectRef, allow_none=True)
    company_id = fields.String(allow_none=True)
    status = fields.String()
    created_at = Moment()
    customer = fields.Nested(ExportedCustomer)
    continued = fields.Boolean(
        metadata={"description": "The conversation began on an earlier page: these are more of its messages."}
    )
    messages = fields.List(
        fields.Nested(Message),
        metadata={"description": "Theirs and the answers, oldest first; files as links good for 5 minutes."},
    )


class ConversationsExport(Answer):
    """The conversations service's part of a page."""

    customer = fields.Nested(KnownAs, allow_none=True)
    conversations = fields.List(fields.Nested(ExportedConversation))
    next_cursor = fields.String(allow_none=True)


class ExportPage(Answer):
    """One page of the export: the conversations first (the first page also says the names
    and addresses the customer is known by), then the mails, bell items and reply addresses,
    with the mail preferences; follow `next_cursor` until it is null."""

    customer = fields.Nested(KnownAs, allow_none=True)
    conversations = fields.List(fields.Nested(ExportedConversation))
    preferences = fields.Nested(PreferencesSchema, allow_none=True)
    notifications = fields.List(
        fields.Nested(ExportItemSchema), metadata={"description": "Mails sent to them, bell items, reply addresses."}
    )
    next_cursor = fields.String(allow_none=True)


class ErasureStarted(Answer):
    id = fields.String()
    status = fields.String(metadata={"description": "`running`, then `done`."})


class Erasure(ErasureStarted):
    subject = fields.String(
        metadata={"description": "A keyed hash of the customer's id: the record holds nothing of the person."}
    )
    asked_by = fields.Dict(keys=fields.String(), values=fields.String())
    asked_at = Moment()
    finished_at = Moment(allow_none=True)
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "What was erased or rewritten, by kind (threads, messages, files, mails, …)."},
    )
