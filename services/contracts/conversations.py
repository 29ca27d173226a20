"""Conversations: threads, messages, announcements, response figures, settings.

What comes in (the gateway's request bodies and queries, the service's RPC arguments) and
what goes out (the answers). Times are services.common.moments.Moment, ids strings.
"""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.access import TYPES
from services.common.answers import Answer
from services.common.moments import Moment

from .json_types import Flag

OBJECT_TYPES = ("product", "order", "company", "none")
STATUSES = ("open", "closed", "deleted")
SUBJECT_MAX = 200  # services/conversations/rules.py cuts subjects to it
BODY_FIELD_MAX = 64 * 1024  # the request limit
# A message's text, trimmed: services/conversations/text.py holds it to this length. The
# document says it as the text's maxLength, and the request limit stays: text with white
# space around it is taken, as before (a client that keeps to the document is never refused).
TEXT_MAX = 10_000
TEXT = {"maxLength": TEXT_MAX}
ATTACHMENTS_LISTED_MAX = 20
# Text with something in it besides white space (the service strips it, then refuses nothing).
HAS_TEXT = {"pattern": r"\S"}
SOME_FILES = {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}}


class ObjectRef(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OBJECT_TYPES))
    id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    class Meta:  # id_goes_with_type, for the document (gateway/body_rules.py)
        valid_when_any = [
            {"properties": {"type": {"enum": ["none"]}}},
            {"required": ["id"], "properties": {"id": {"type": "string"}}},
        ]

    @validates_schema
    def id_goes_with_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["type"] != "none" and not data.get("id"):
            raise ValidationError("An object of this type needs its id.", "id")


def attachment_ids() -> fields.List[str]:
    """Uploads (POST /v1/uploads) a message carries. The service holds the list to
    ATTACHMENTS_PER_MESSAGE; this bound only keeps a body from naming thousands."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=list,
        validate=validate.Length(max=ATTACHMENTS_LISTED_MAX),
        metadata={"description": "Ids of the caller's own uploads (POST /v1/uploads)."},
    )


class TextOrFiles(Schema):
    """A message is its text, its files, or both. Text of white space alone is the service's
    to refuse (services/conversations/text.py), as it was before files."""

    TEXT_FIELD = "body"

    @validates_schema
    def text_or_files(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get(self.TEXT_FIELD) and not data.get("attachments"):
            raise ValidationError("Write a message or attach a file.", self.TEXT_FIELD)


class NewThread(TextOrFiles):
    TEXT_FIELD = "message"
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    object = fields.Nested(ObjectRef, required=True)
    message = fields.String(
        required=True,
        validate=validate.Length(max=BODY_FIELD_MAX),
        metadata={**TEXT, "description": "May be empty when the message carries files."},
    )
    subject = fields.String(load_default=None, validate=validate.Length(max=SUBJECT_MAX))
    company_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    customer_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    attachments = attachment_ids()

    class Meta:  # text_or_files, for the document (gateway/body_rules.py)
        valid_when_any = [{"properties": {"message": HAS_TEXT}}, SOME_FILES]


class NewMessage(TextOrFiles):
    body = fields.String(
        validate=validate.Length(max=BODY_FIELD_MAX),
        metadata={
            **TEXT,
            "description": "Required unless `saved_reply_id` or `attachments` is given; may be empty when the "
            "message carries files.",
        },
    )
    saved_reply_id = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Send one of the caller's saved replies, its placeholders filled from this thread, and "
            "count the use. With a `body` too, the body is sent (the reply as the person edited it "
            "after inserting it) and the use is counted."
        },
    )
    attachments = attachment_ids()

    class Meta:  # text_or_files, for the document (gateway/body_rules.py)
        valid_when_any = [
            {"required": ["body"], "properties": {"body": HAS_TEXT}},
            {"required": ["saved_reply_id"]},
            SOME_FILES,
        ]

    @validates_schema
    def text_or_files(self, data: dict[str, Any], **kwargs: Any) -> None:
        # A saved reply is text too.
        if not data.get("body") and not data.get("saved_reply_id") and not data.get("attachments"):
            raise ValidationError("Write a message, attach a file or send a saved reply.", "body")


class StatusChange(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("open", "closed")))


class InboxQuery(Schema):
    type = fields.String(validate=validate.OneOf(TYPES))
    status = fields.String(validate=validate.OneOf(STATUSES))
    object_type = fields.String(validate=validate.OneOf(OBJECT_TYPES))
    object_id = fields.String()
    company_id = fields.String()
    customer_id = fields.String()
    customer = fields.String(validate=validate.Length(min=1, max=200))
    created_from = Moment()
    created_to = Moment()
    updated_from = Moment()
    updated_to = Moment()
    unread = fields.Boolean()
    awaiting_reply = fields.Boolean()
    overdue = fields.Boolean(
        metadata={
            "description": "true: questions escalated to the administration and "
            "still unanswered (ESCALATE_AFTER_HOURS)."
        }
    )
    q = fields.String(validate=validate.Length(min=1, max=200))
    sort = fields.String(
        load_default="last_message_at", validate=validate.OneOf(("last_message_at", "created_at", "id"))
    )
    order = fields.String(load_default="desc", validate=validate.OneOf(("desc", "asc")))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String()


class MessagesQuery(Schema):
    before = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class Bulk(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("delete", "reply")))
    thread_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=100))
    body = fields.String(validate=validate.Length(min=1, max=BODY_FIELD_MAX), metadata=TEXT)

    class Meta:  # reply_needs_body, for the document (gateway/body_rules.py)
        valid_when_any = [
            {"properties": {"action": {"enum": ["delete"]}}},
            {"required": ["body"], "properties": {"body": HAS_TEXT}},
        ]

    @validates_schema
    def reply_needs_body(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["action"] == "reply" and not data.get("body"):
            raise ValidationError("A reply needs a body.", "body")


class NewBroadcast(Schema):
    company_ids = fields.Raw(
        required=True,
        metadata={
            "description": 'A list of vendor ids, or "all".',
            "oneOf": [
                {"type": "string", "enum": ["all"]},
                {"type": "array", "minItems": 1, "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
            ],
        },
    )
    subject = fields.String(required=True, validate=validate.Length(min=1, max=SUBJECT_MAX))
    message = fields.String(
        required=True, validate=validate.Length(min=1, max=BODY_FIELD_MAX), metadata={**TEXT, **HAS_TEXT}
    )

    @validates_schema
    def vendors_listed(self, data: dict[str, Any], **kwargs: Any) -> None:
        ids = data["company_ids"]
        if ids != "all" and not (isinstance(ids, list) and ids and all(isinstance(i, (str, int)) for i in ids)):
            raise ValidationError('A non-empty list of vendor ids, or "all".', "company_ids")


class ResponseTimesQuery(Schema):
    date_from = Moment(data_key="from", required=True)
    date_to = Moment(data_key="to", required=True)
    company_id = fields.String()


class PublicSettings(Schema):
    """What the storefront reads without a token, to decide which buttons to show."""

    customer_to_vendor_enabled = Flag()
    vendor_to_admin_enabled = Flag()
    show_on_product = Flag()
    show_on_vendor = Flag()
    show_on_order = Flag()


MODERATION_ACTIONS = ("allow", "mask", "hold")
BLOCKED_WORDS_MAX, BLOCKED_WORD_LENGTH = 100, 60
ALLOWED_DOMAINS_MAX = 50
# A host name: labels of letters, digits and hyphens, a dot between them.
DOMAIN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


def moderation_action(direction: str) -> fields.String:
    return fields.String(
        validate=validate.OneOf(MODERATION_ACTIONS),
        metadata={
            "description": (
                f"Contact details (addresses, phone numbers, outside links, messengers, blocked words) in messages "
                f'{direction}: `allow` delivers them as written; `mask` replaces each with "[contact details removed]" '
                "(the administration keeps the original: GET /v1/moderation?state=masked); `hold` keeps the message for "
                "the administration's review (GET /v1/moderation), unseen by the other side until approved."
            )
        },
    )


class ConversationSettings(PublicSettings):
    """The conversations' settings as the administration reads and changes them."""

    moderation_customer_to_vendor = moderation_action("from customers to vendors")
    moderation_vendor_to_customer = moderation_action("from vendors to customers")
    moderation_phone_region = fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$"),
        metadata={
            "description": "The region (ISO 3166 code, e.g. US, DE) whose national phone numbers are recognised "
            "without a country code."
        },
    )
    moderation_allowed_domains = fields.List(
        fields.String(validate=validate.Regexp(DOMAIN, error="Not a domain name (lower case, like shop.example).")),
        validate=validate.Length(max=ALLOWED_DOMAINS_MAX),
        metadata={
            "description": "Domains whose links are not contact details, besides the marketplace's own (the hosts "
            "of STOREFRONT_URL and PORTAL_URL); their subdomains too."
        },
    )
    moderation_blocked_words = fields.List(
        fields.String(validate=validate.Length(min=1, max=BLOCKED_WORD_LENGTH)),
        validate=validate.Length(max=BLOCKED_WORDS_MAX),
        metadata={
            "description": "Words and phrases treated as contact details, in any case and accents "
            "(e.g. the names of payment services used off the marketplace)."
        },
    )


REVIEW_STATES = ("held", "masked", "approved", "rejected")
REASON_MAX = 500


class ModerationQuery(Schema):
    state = fields.String(
        load_default="held",
        validate=validate.OneOf(REVIEW_STATES),
        metadata={
            "description": "`held` (the queue, oldest first), or the messages masked, approved or rejected (newest first)."
        },
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=500))


class DecisionsQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=500))


class ModerationDecision(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    reason = fields.String(
        validate=validate.Length(max=REASON_MAX),
        metadata={"description": "Required to reject: the author reads it beside the message."},
    )

    class Meta:  # rejection_has_a_reason, for the document (gateway/body_rules.py)
        valid_when_any = [
            {"properties": {"decision": {"enum": ["approve"]}}},
            {"required": ["reason"], "properties": {"reason": HAS_TEXT}},
        ]

    @validates_schema
    def rejection_has_a_reason(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["decision"] == "reject" and not (data.get("reason") or "").strip():
            raise ValidationError("Tell the author why the message is rejected.", "reason")


SAVED_REPLY_TITLE_MAX = 120


class NewSavedReply(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=SAVED_REPLY_TITLE_MAX), metadata=HAS_TEXT)
    body = fields.String(
        required=True,
        validate=validate.Length(min=1, max=BODY_FIELD_MAX),
        metadata={
            **HAS_TEXT,
            "description": "Plain text with placeholders filled from the thread it is used in: {customer_name}, "
            "{vendor_name}, {product_name}, {order_id}, {order_status}. Another name in braces is a "
            "422. Its length is bounded by SAVED_REPLY_BODY_MAX.",
        },
    )


class SavedReplyChange(Schema):
    title = fields.String(validate=validate.Length(min=1, max=SAVED_REPLY_TITLE_MAX), metadata=HAS_TEXT)
    body = fields.String(validate=validate.Length(min=1, max=BODY_FIELD_MAX), metadata=HAS_TEXT)


class FillQuery(Schema):
    thread_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class AwayMessageSetting(Schema):
    body = fields.String(
        required=True, validate=validate.Length(min=1, max=BODY_FIELD_MAX), metadata={**TEXT, **HAS_TEXT}
    )
    date_from = Moment(data_key="from", required=True)
    date_to = Moment(data_key="to", required=True)

    @validates_schema
    def ends_after_it_starts(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["date_to"] <= data["date_from"]:
            raise ValidationError("The away period ends after it starts.", "to")


class AwayQuery(Schema):
    company_id = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The vendor (the administration names one; a vendor's staff read their own)."},
    )


# What goes out ------------------------------------------------------------------------


class Author(Answer):
    side = fields.String()
    user_id = fields.String()
    name = fields.String()


class StoredFile(Answer):
    """What every answer about a kept file says of it."""

    id = fields.String()
    name = fields.String()
    size = fields.Integer()
    content_type = fields.String()


class Attachment(StoredFile):
    url = fields.String(metadata={"description": "A link good for 5 minutes, relative to the API's origin."})
    thumbnail_url = fields.String(allow_none=True, metadata={"description": "Images only: at most 320 px."})


class ModerationNote(Answer):
    state = fields.String(
        metadata={
            "description": "`held`: waiting for the administration's review (only its "
            "author's side and the administration see it); `rejected` (the "
            "same, with the `reason`); `masked`: contact details were "
            "removed; `approved`: delivered after review."
        }
    )
    reason = fields.String(allow_none=True)


class Message(Answer):
    id = fields.String()
    thread_id = fields.String()
    author = fields.Nested(Author)
    body = fields.String(metadata={"description": "Safe HTML: only <a> links, line breaks as <br>."})
    text = fields.String()
    created_at = Moment()
    automatic = fields.Boolean(metadata={"description": "Sent by the vendor's away message, not by a person."})
    attachments = fields.List(fields.Nested(Attachment))
    moderation = fields.Nested(ModerationNote, allow_none=True)


class UploadAdmission(Schema):
    """A file about to be judged and kept, by the gateway or the inbound process: its bytes."""

    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class Upload(StoredFile):
    """A checked upload, the caller's for 24 hours unless a message carries it."""


class UploadLimits(Answer):
    """What a page checks before it sends a file, so a file too large is refused before its bytes travel."""

    max_bytes = fields.Integer(metadata={"description": "ATTACHMENT_MAX_BYTES: bytes one file may have."})
    files_per_message = fields.Integer(metadata={"description": "ATTACHMENTS_PER_MESSAGE."})
    content_types = fields.List(
        fields.String(), metadata={"description": "The kinds of file taken, as judged by their bytes."}
    )


class AttachmentFile(StoredFile):
    """A file the caller may fetch (the conversations service's answer to the gateway)."""

    thumbnail_id = fields.String(allow_none=True)


class LastMessage(Answer):
    id = fields.String()
    author = fields.Nested(Author)
    preview = fields.String()


class ShortContext(Answer):
    title = fields.String()
    image_url = fields.String(allow_none=True)
    url = fields.String(allow_none=True)


class ThreadSummary(Answer):
    id = fields.String()
    type = fields.String()
    status = fields.String()
    object = fields.Nested(ObjectRef)
    company_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True)
    customer_name = fields.String(
        allow_none=True,
        metadata={"description": "The customer's name, for vendors and the administration (null for the customer)."},
    )
    subject = fields.String(
        metadata={
            "description": 'As its reader reads it: a store question is "Store question" in the vendor\'s own inbox.'
        }
    )
    created_at = Moment()
    last_message_at = Moment()
    last_message = fields.Nested(LastMessage, allow_none=True)
    unread_count = fields.Integer()
    awaiting_reply_from = fields.String(allow_none=True)
    awaiting_since = Moment(allow_none=True)
    overdue = fields.Boolean(
        metadata={"description": "The customer's question waited past ESCALATE_AFTER_HOURS and is still unanswered."}
    )
    context = fields.Nested(ShortContext, allow_none=True)
    broadcast_id = fields.String(allow_none=True)
    moderation = fields.Nested(
        ModerationNote,
        allow_none=True,
        metadata={
            "description": "A conversation whose first message waits for review (`held`) or was `rejected`: only its "
            "author's side and the administration see it."
        },
    )


class Customer(Answer):
    id = fields.String(allow_none=True)
    name = fields.String()
    email = fields.String()


class MessagePage(Answer):
    items = fields.List(fields.Nested(Message))
    next_before = fields.String(allow_none=True, metadata={"description": "Pass as `before` for older messages."})


class ContextChange(Answer):
    field = fields.String()
    then = fields.Raw()
    now = fields.Raw()


class ThreadDetail(ThreadSummary):
    customer = fields.Nested(Customer, allow_none=True)
    # The whole context here, where the summary gives its short form.
    context = fields.Dict(metadata={"description": "The live context: product, order or vendor."})  # type: ignore[assignment]
    context_snapshot = fields.Dict(allow_none=True, metadata={"description": "The context when the thread started."})
    context_changes = fields.List(fields.Nested(ContextChange))
    context_as_of = Moment(allow_none=True)
    read_at = fields.Dict(keys=fields.String(), values=Moment())
    messages = fields.Nested(MessagePage)


class StartedThread(Answer):
    created = fields.Boolean()
    thread = fields.Nested(ThreadSummary)
    message = fields.Nested(Message)


class InboxPage(Answer):
    items = fields.List(fields.Nested(ThreadSummary))
    next_cursor = fields.String(allow_none=True)


class ReadState(Answer):
    thread_id = fields.String()
    side = fields.String()
    read_at = Moment()
    unread_count = fields.Integer()


class UnreadCounts(Answer):
    total = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())


class BulkOutcome(Answer):
    thread_id = fields.String()
    status = fields.Integer()
    outcome = fields.String()
    message_id = fields.String(allow_none=True)


class BulkResult(Answer):
    results = fields.List(fields.Nested(BulkOutcome))


class BroadcastCreated(Answer):
    id = fields.String()
    thread_count = fields.Integer()
    status = fields.String(metadata={"description": "`sending` until every vendor's thread is written, then `sent`."})


class BroadcastReceipt(Answer):
    company_id = fields.String()
    thread_id = fields.String()
    read = fields.Boolean()
    read_at = Moment(allow_none=True)


class BroadcastStatus(Answer):
    id = fields.String()
    subject = fields.String()
    created_at = Moment()
    status = fields.String(metadata={"description": "`sending` until every vendor's thread is written, then `sent`."})
    sent_at = Moment(allow_none=True)
    thread_count = fields.Integer()
    read_count = fields.Integer()
    vendors = fields.List(fields.Nested(BroadcastReceipt))


class VendorResponseTimes(Answer):
    company_id = fields.String()
    threads = fields.Integer()
    answered = fields.Integer()
    median_first_reply_seconds = fields.Float(allow_none=True)
    answered_within_24h_share = fields.Float(allow_none=True)
    overdue = fields.Integer(metadata={"description": "Of these threads, those escalated and still unanswered."})


class ResponseTimes(Answer):
    date_from = Moment(data_key="from")
    date_to = Moment(data_key="to")
    vendors = fields.List(fields.Nested(VendorResponseTimes))


class SavedReply(Answer):
    id = fields.String()
    title = fields.String()
    body = fields.String(metadata={"description": "As saved, placeholders unfilled."})
    placeholders = fields.List(fields.String())
    use_count = fields.Integer()
    last_used_at = Moment(allow_none=True)
    created_at = Moment()
    updated_at = Moment()


class SavedReplyList(Answer):
    items = fields.List(fields.Nested(SavedReply))
    most = fields.Integer(metadata={"description": "How many replies the owner may keep (SAVED_REPLIES_PER_OWNER)."})


class FilledReply(Answer):
    saved_reply_id = fields.String()
    thread_id = fields.String()
    text = fields.String(metadata={"description": "The body with this thread's values; plain text for the reply box."})
    unfilled = fields.List(
        fields.String(),
        metadata={
            "description": "Placeholders this thread has no value for (an order's on a product's thread), left as written."
        },
    )


class AwayMessage(Answer):
    company_id = fields.String()
    body = fields.String()
    date_from = Moment(data_key="from")
    date_to = Moment(data_key="to")
    active = fields.Boolean(metadata={"description": "The period covers this moment."})
    updated_at = Moment()


class FoundDetail(Answer):
    start = fields.Integer()
    end = fields.Integer()
    kind = fields.String(metadata={"description": "email, phone, link, messenger or blocked_word"})


class ReviewedThread(Answer):
    id = fields.String()
    type = fields.String()
    status = fields.String()
    subject = fields.String()
    object = fields.Nested(ObjectRef)
    company_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True)


class Decider(Answer):
    user_id = fields.String()
    name = fields.String()


class Decision(Answer):
    decision = fields.String(metadata={"description": "approve or reject"})
    reason = fields.String(allow_none=True)
    by = fields.Nested(Decider)
    at = Moment()


class Review(Answer):
    """A message the moderation acted on: what its author wrote, and where the details are."""

    message_id = fields.String()
    thread_id = fields.String()
    state = fields.String(metadata={"description": "held, masked, approved or rejected"})
    direction = fields.String(metadata={"description": "customer_to_vendor or vendor_to_customer"})
    author = fields.Nested(Author)
    text = fields.String(
        metadata={
            "description": "As its author wrote it, a part a line: the subject it gave the "
            "conversation it starts, if any; its text (a link's address that "
            "the text does not show follows on a line of its own); each of its "
            "files' names."
        }
    )
    found = fields.List(
        fields.Nested(FoundDetail),
        metadata={"description": "The contact details in `text`: [start, end) in characters."},
    )
    created_at = Moment()
    thread = fields.Nested(ReviewedThread, allow_none=True)
    decision = fields.Nested(Decision, allow_none=True)


class ReviewPage(Answer):
    items = fields.List(fields.Nested(Review))
    next_cursor = fields.String(allow_none=True)
    held_count = fields.Integer(metadata={"description": "Messages waiting for review now."})


class DecisionPage(Answer):
    items = fields.List(fields.Nested(Review), metadata={"description": "Newest decision first."})
    next_cursor = fields.String(allow_none=True)


# Moving a marketplace in: CS-Cart's Message Center history (services/cscart_import) --------

IMPORT_SIDES = ("customer", "vendor", "admin")
IMPORT_STATUSES = ("N", "V", "D")  # CS-Cart's: a new message waits, viewed, deleted
IMPORT_BATCH_MAX = 5_000  # messages in one call: what one call may make the service hold
IMPORTER = "cscart-import"  # the system caller of the import command, the only one import_history takes


class ImportPerson(Schema):
    id = fields.String(load_default=None, allow_none=True)
    name = fields.String(load_default="")
    email = fields.String(load_default="")


class ImportMessage(Schema):
    cscart_message_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    side = fields.String(required=True, validate=validate.OneOf(IMPORT_SIDES))
    author = fields.Nested(ImportPerson, required=True)
    created_at = Moment(required=True)
    body = fields.String(load_default="")


class ImportThread(Schema):
    """One CS-Cart thread as far as this batch brings it: all its messages, or the next ones
    by message id (a long thread comes over in parts)."""

    cscart_thread_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    company_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    customer = fields.Nested(ImportPerson, load_default=None, allow_none=True)
    object = fields.Nested(ObjectRef, required=True)
    cscart_object_type = fields.String(load_default="")
    subject = fields.String(load_default="")
    status = fields.String(required=True, validate=validate.OneOf(IMPORT_STATUSES))
    created_at = Moment(required=True)
    # What CS-Cart shows of its parties that no longer exist: "customer", "vendor", "object".
    missing = fields.List(fields.String(), load_default=list)
    messages = fields.List(fields.Nested(ImportMessage), required=True)


class ImportBatch(Schema):
    threads = fields.List(fields.Nested(ImportThread), required=True)

    @validates_schema
    def bounded(self, data: dict[str, Any], **kwargs: Any) -> None:
        if sum(len(thread["messages"]) for thread in data["threads"]) > IMPORT_BATCH_MAX:
            raise ValidationError(f"At most {IMPORT_BATCH_MAX} messages in one batch.", "threads")


class ImportedBatch(Answer):
    threads_created = fields.Integer()
    threads_updated = fields.Integer()
    messages = fields.Integer()
    messages_cut = fields.Integer()
