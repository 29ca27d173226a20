"""The catalog's boundaries: CS-Cart's records coming in, our records and contexts going out.

CS-Cart records are loaded in CS-Cart's own field names and normalised (ids as strings,
money as numbers, an order's products as a list) so that loading a loaded record again gives
the same record: the gateway loads a pushed body, the service loads it once more. Then
`record_from_cscart` turns it into our record, the shape the store keeps.
"""
from datetime import datetime, timezone

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from services.common.clock import isoformat
from services.common.errors import ValidationFailed

from .context import OBJECT_TYPES


class CsCartId(fields.String):
    """An id as CS-Cart sends it, a number or a string; kept as a string, always."""

    default_error_messages = {"invalid": "Not a valid id: a whole number or a string."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self.make_error("invalid")
        text = str(value).strip()
        if not text or len(text) > 64:
            raise self.make_error("invalid")
        return text

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class Money(fields.Decimal):
    """CS-Cart sends prices as "30.00" or 30: kept as a number of cents' precision."""

    def __init__(self, **kwargs):
        super().__init__(places=2, validate=validate.Range(min=0), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return float(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class MainPair(fields.Field):
    """A product's main image: {"detailed": {"image_path": ...}}; CS-Cart sends [] for none."""

    default_error_messages = {"invalid": "Not a valid image pair: an object with detailed.image_path, or []."}

    def _deserialize(self, value, attr, data, **kwargs):
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


class OrderItemPush(CsCartRecord):
    product_id = CsCartId(required=True)
    product = fields.String(load_default="")
    amount = fields.Integer(load_default=1, validate=validate.Range(min=0))
    price = Money(load_default=None, allow_none=True)


class OrderItems(fields.List):
    """An order's products: CS-Cart keys them by item id ({item_id: item}); a list is fine too."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(OrderItemPush), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            value = list(value.values())
        return super()._deserialize(value, attr, data, **kwargs)


class OrderPush(CsCartRecord):
    order_id = CsCartId(required=True)
    company_id = CsCartId(required=True)
    # 0 is CS-Cart's guest checkout: an order without a customer account.
    user_id = CsCartId(load_default=None, allow_none=True)
    total = Money(load_default=None, allow_none=True)
    timestamp = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
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


PUSH_SCHEMAS = {"product": ProductPush, "order": OrderPush, "company": VendorPush}


def load_cscart(object_type: str, record) -> dict:
    """A CS-Cart record, checked and normalised; ValidationFailed names each bad field."""
    try:
        return PUSH_SCHEMAS[object_type]().load(record)
    except ValidationError as error:
        raise ValidationFailed(f"The {object_type} record is not valid", error.messages)


def _owner(cscart_id):
    # CS-Cart's 0 means "nobody": the marketplace itself owns it, or a guest bought it.
    return None if cscart_id in (None, "0") else cscart_id


def record_from_cscart(object_type: str, cscart: dict) -> dict:
    """Our record (the shape the store keeps) from a normalised CS-Cart record."""
    if object_type == "product":
        image = cscart["main_pair"]
        return {
            "id": cscart["product_id"],
            "name": cscart["product"],
            "code": cscart["product_code"] or "",
            "price": cscart["price"],
            "company_id": _owner(cscart["company_id"]),
            "status": cscart["status"],
            "image_url": image["detailed"]["image_path"] if image else None,
        }
    if object_type == "order":
        name = " ".join(part for part in (cscart["firstname"], cscart["lastname"]) if part)
        return {
            "id": cscart["order_id"],
            "company_id": _owner(cscart["company_id"]),
            "customer_id": _owner(cscart["user_id"]),
            "customer_name": name,
            "customer_email": cscart["email"] or "",
            "customer_phone": cscart["phone"] or "",
            "total": cscart["total"],
            "placed_at": (datetime.fromtimestamp(cscart["timestamp"], timezone.utc)
                          if cscart["timestamp"] is not None else None),
            "status": cscart["status"],
            "items": [{"product_id": item["product_id"], "name": item["product"],
                       "amount": item["amount"], "price": item["price"]}
                      for item in cscart["products"]],
        }
    return {
        "id": cscart["company_id"],
        "name": cscart["company"],
        "email": cscart["email"] or "",
        "status": cscart["status"],
    }


def load_record(object_type: str, record) -> dict:
    return record_from_cscart(object_type, load_cscart(object_type, record))


# --- going out ---

class Moment(fields.DateTime):
    """A time as the contract writes it: ISO-8601 UTC with milliseconds."""

    def _serialize(self, value, attr, obj, **kwargs):
        # The gateway dumps the service's answer once more, its times already written out.
        return value if isinstance(value, str) else isoformat(value)


class Kept(Schema):
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


class OrderItemOut(Schema):
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


RECORD_SCHEMAS = {"product": ProductOut, "order": OrderOut, "company": VendorOut}


def dump_record(object_type: str, record: dict) -> dict:
    return RECORD_SCHEMAS[object_type]().dump(record)


class Vendor(Schema):
    """A vendor as other services need it: whom to write to, and whether it trades."""
    company_id = fields.String(attribute="id")
    name = fields.String()
    email = fields.String()
    status = fields.String(metadata={"description": 'CS-Cart\'s letter: "A" active, "P" pending, "D" disabled'})


class ContextObject(Schema):
    type = fields.String(required=True, validate=validate.OneOf((*OBJECT_TYPES, "none")))
    id = CsCartId(required=True)


def load_id(value, name: str = "id") -> str:
    try:
        return CsCartId().deserialize(value)
    except ValidationError as error:
        raise ValidationFailed(f"The {name} is not valid", {name: error.messages})


def load_objects(objects) -> list[dict]:
    try:
        return ContextObject(many=True).load(objects)
    except ValidationError as error:
        raise ValidationFailed("The objects to resolve are not valid", {"objects": error.messages})


class Summary(Schema):
    title = fields.String()
    image_url = fields.String(allow_none=True)
    url = fields.String()


class Resolved(Schema):
    object = fields.Nested(ContextObject)
    company_id = fields.String(allow_none=True)
    customer_id = fields.String(allow_none=True)
    context = fields.Dict(metadata={"description": "the full context: product, order or company fields"})
    summary = fields.Nested(Summary)
    as_of = Moment(metadata={"description": "when the storefront last told us about the object"})
    stale = fields.Boolean(metadata={"description": "older than the catalog keeps records fresh; a refresh is on its way"})


def dump_resolved_many(answers: dict) -> dict:
    # One schema for the whole page: making a schema costs more than dumping with it.
    schema = Resolved()
    return {key: schema.dump(answer) if answer else None for key, answer in answers.items()}
