"""The catalog: CS-Cart's records as the storefront pushes them, our records and the context of
an object as they go out.

CS-Cart records are loaded in CS-Cart's own field names and normalised (ids as strings, money
as numbers, an order's products as a list), so that loading a loaded record again gives the
same record: the gateway sends the service what it loaded, and the service loads it once more.
"""

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from services.common.answers import Answer
from services.common.errors import ValidationFailed
from services.common.moments import Moment

OBJECT_TYPES = ("product", "order", "company")  # what a context can be about


ID_MAX = 64


class Documented:
    """A field CS-Cart sends in more than one JSON form: DOCUMENTED, the forms it takes, goes
    into its metadata, which is the document's schema for it."""

    DOCUMENTED: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["metadata"] = {**self.DOCUMENTED, **kwargs.get("metadata", {})}
        super().__init__(*args, **kwargs)


def _number_or_text(field: fields.Field[Any], value: object) -> None:
    """CS-Cart sends a number as a JSON number or as its text; true, false or anything else is
    refused (Python counts True as 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise field.make_error("invalid")


class CsCartId(Documented, fields.Field[str]):
    """An id as CS-Cart sends it, a number or a string; kept as a string, always."""

    default_error_messages = {"invalid": "Not a valid id: a whole number or a string."}
    # What _deserialize takes: text (besides white space) or a whole number, at most ID_MAX
    # characters either way.
    DOCUMENTED = {
        "oneOf": [
            {"type": "string", "pattern": r"\S", "maxLength": ID_MAX},
            {"type": "integer", "minimum": -(10 ** (ID_MAX - 1) - 1), "maximum": 10**ID_MAX - 1},
        ]
    }

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        _number_or_text(self, value)
        text = str(value).strip()
        if not text or len(text) > ID_MAX:
            raise self.make_error("invalid")
        return text

    def _serialize(self, value: object, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class Money(Documented, fields.Decimal):
    """CS-Cart sends prices as "30.00" or 30: kept as a number of cents' precision."""

    # For the document: the number, or its text (the gateway maps neither field to one type,
    # gateway/app.py). Cents of a larger amount have more digits than the decimal context
    # holds (28), and are refused.
    DIGITS = 26
    DOCUMENTED = {
        "oneOf": [
            {"type": "number", "minimum": 0, "maximum": 10**DIGITS - 1},
            {"type": "string", "pattern": rf"^[0-9]{{1,{DIGITS}}}(\.[0-9]+)?$"},
        ]
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=2, validate=validate.Range(min=0), **kwargs)

    # Any, not float: the Decimal field this extends declares a decimal.Decimal, and a float is
    # what the records keep.
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        return float(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class MainPair(fields.Field[dict[str, dict[str, str]] | None]):
    """A product's main image: {"detailed": {"image_path": ...}}; CS-Cart sends [] for none."""

    default_error_messages = {"invalid": "Not a valid image pair: an object with detailed.image_path, or []."}

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> dict[str, dict[str, str]] | None:
        if value in (None, [], ""):
            return None
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        detailed = value.get("detailed")
        if detailed in (None, []):
            return None
        if not isinstance(detailed, dict):
            raise self.make_error("invalid")
        image_path = detailed.get("image_path")
        if image_path in (None, ""):
            return None
        if not isinstance(image_path, str):
            raise self.make_error("invalid")
        return {"detailed": {"image_path": image_path}}


class VendorLogos(fields.Field[str | None]):
    """A vendor's logos as CS-Cart's API sends them: {"theme": {"image": {"image_path": ...}},
    "mail": {...}}; the storefront's ("theme") is the one kept, else the mail's. Anything
    else (CS-Cart sends [] for none) is no logo: a logo is never worth refusing a vendor.
    Kept as the path, which loads as itself again."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str | None:
        if isinstance(value, str):  # loaded already (the gateway loads, then the service again)
            return value.strip()[:2000] or None
        if not isinstance(value, dict):
            return None
        for kind in ("theme", "mail"):
            image = (value.get(kind) or {}).get("image") if isinstance(value.get(kind), dict) else None
            path = image.get("image_path") if isinstance(image, dict) else None
            if isinstance(path, str) and path.strip():
                return path.strip()[:2000]
        return None


class CsCartRecord(Schema):
    class Meta:
        # CS-Cart answers with dozens of fields we have no use for: not an error.
        unknown = EXCLUDE


class ProductPush(CsCartRecord):
    product_id = CsCartId(required=True)
    product = fields.String(load_default="")
    product_code = fields.String(load_default="", allow_none=True)
    price = Money(load_default=None, allow_none=True)
    company_id = CsCartId(required=True)
    status = fields.String(load_default="A")
    main_pair = MainPair(load_default=None, allow_none=True)


class WholeNumber(Documented, fields.Integer):
    """CS-Cart's whole numbers (an amount, a time stamp): a JSON integer, or its digits as text
    ("2"), not below 0; not 2.5, which marshmallow's Integer would read as 2."""

    DOCUMENTED = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^[0-9]+$"}]}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        _number_or_text(self, value)
        return super()._deserialize(value, attr, data, **kwargs)


class OrderItemPush(CsCartRecord):
    product_id = CsCartId(required=True)
    product = fields.String(load_default="")
    amount = WholeNumber(load_default=1, validate=validate.Range(min=0))
    price = Money(load_default=None, allow_none=True)


class OrderItems(Documented, fields.List[dict[str, Any]]):
    """An order's products: CS-Cart keys them by item id ({item_id: item}); a list is fine too."""

    # For the document: a list of items, or an object of them.
    ITEM = {"$ref": "#/components/schemas/OrderItemPush"}
    DOCUMENTED = {"oneOf": [{"type": "array", "items": ITEM}, {"type": "object", "additionalProperties": ITEM}]}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Nested(OrderItemPush), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[dict[str, Any] | None]:
        if isinstance(value, dict):
            value = list(value.values())
        return super()._deserialize(value, attr, data, **kwargs)


class OrderPush(CsCartRecord):
    order_id = CsCartId(required=True)
    company_id = CsCartId(required=True)
    # 0 is CS-Cart's guest checkout: an order without a customer account.
    user_id = CsCartId(load_default=None, allow_none=True)
    total = Money(load_default=None, allow_none=True)
    timestamp = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=0))
    status = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=1))
    firstname = fields.String(load_default="", allow_none=True)
    lastname = fields.String(load_default="", allow_none=True)
    email = fields.String(load_default="", allow_none=True)
    phone = fields.String(load_default="", allow_none=True)
    products = OrderItems(load_default=list)


class VendorPush(CsCartRecord):
    company_id = CsCartId(required=True)
    company = fields.String(load_default="")
    email = fields.String(load_default="", allow_none=True)
    status = fields.String(load_default="A")
    logos = VendorLogos(load_default=None, allow_none=True)


class Kept(Answer):
    """Where a record came from and how fresh it is."""

    source = fields.String(metadata={"description": '"pushed" by the storefront or "pulled" from its API'})
    fetched_at = Moment(metadata={"description": "when the storefront last told us about it"})
    updated_at = Moment(metadata={"description": "when what it says last changed"})


class ProductOut(Kept):
    id = fields.String()
    name = fields.String()
    code = fields.String()
    price = fields.Float(allow_none=True)
    company_id = fields.String(allow_none=True)
    status = fields.String()
    image_url = fields.String(allow_none=True)


class OrderItemOut(Answer):
    product_id = fields.String()
    name = fields.String()
    amount = fields.Integer()
    price = fields.Float(allow_none=True)


class OrderOut(Kept):
    id = fields.String()
    company_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True)
    customer_name = fields.String()
    customer_email = fields.String()
    customer_phone = fields.String()
    total = fields.Float(allow_none=True)
    placed_at = Moment(allow_none=True)
    status = fields.String(allow_none=True)
    items = fields.List(fields.Nested(OrderItemOut))


class VendorOut(Kept):
    id = fields.String()
    name = fields.String()
    email = fields.String()
    status = fields.String()
    logo_url = fields.String(allow_none=True)


class Vendor(Answer):
    """A vendor as other services need it: whom to write to, and whether it trades."""

    company_id = fields.String(attribute="id")
    name = fields.String()
    email = fields.String()
    status = fields.String(metadata={"description": 'CS-Cart\'s letter: "A" active, "P" pending, "D" disabled'})


# The administration's vendor picker: a name typed a letter at a time, a page at a time.
VENDOR_QUERY_MAX = 100
VENDOR_PAGE_MAX = 50
VENDOR_STATUSES = ("A", "P", "D", "N")


class VendorQuery(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=VENDOR_QUERY_MAX),
        metadata={"description": "Part of the vendor's name, in any case; every character is literal."},
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(VENDOR_STATUSES),
        metadata={"description": 'CS-Cart\'s letter: "A" active, "P" pending, "D" disabled, "N" new; any when absent.'},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=VENDOR_PAGE_MAX))
    cursor = fields.String(validate=validate.Length(max=500))


class VendorChoice(Answer):
    """A vendor as the administration picks it: its name, whether it trades (no address)."""

    company_id = fields.String(attribute="id")
    name = fields.String()
    status = fields.String(metadata={"description": 'CS-Cart\'s letter: "A" active, "P" pending, "D" disabled'})


class VendorPage(Answer):
    items = fields.List(fields.Nested(VendorChoice))
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(
        metadata={"description": "How many vendors match, on every page: an announcement to them reaches this many."}
    )


class ContextObject(Schema):
    type = fields.String(required=True, validate=validate.OneOf((*OBJECT_TYPES, "none")))
    id = CsCartId(required=True)


def load_id(value: object, name: str = "id") -> str:
    """An id from a path or an RPC argument, as CsCartId loads it; a 422 naming `name` otherwise."""
    try:
        return CsCartId().deserialize(value)
    except ValidationError as error:
        raise ValidationFailed(f"The {name} is not valid", {name: error.messages})


class Summary(Answer):
    title = fields.String()
    image_url = fields.String(allow_none=True)
    url = fields.String()


class Resolved(Answer):
    object = fields.Nested(ContextObject)
    company_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True)
    context = fields.Dict(metadata={"description": "the full context: product, order or company fields"})
    summary = fields.Nested(Summary)
    as_of = Moment(metadata={"description": "when the storefront last told us about the object"})
    stale = fields.Boolean(
        metadata={"description": "older than the catalog keeps records fresh; a refresh is on its way"}
    )
