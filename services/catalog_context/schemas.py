"""The catalog's boundaries: CS-Cart's records coming in, our records and contexts going out.

The messages are the shared contract (services/contracts/catalog.py); this turns a loaded
CS-Cart record into our record (`record_from_cscart`), the shape the store keeps, and loads
and dumps with the contract's schemas.
"""

from datetime import datetime, timezone

from marshmallow import ValidationError

from services.common.errors import ValidationFailed
from services.common.loading import load
from services.contracts.catalog import (
    ContextObject,
    OrderOut,
    OrderPush,
    ProductOut,
    ProductPush,
    Resolved,
    VendorOut,
    VendorPush,
)

PUSH_SCHEMAS = {"product": ProductPush, "order": OrderPush, "company": VendorPush}


def load_cscart(object_type: str, record) -> dict:
    """A CS-Cart record, checked and normalised; ValidationFailed names each bad field."""
    return load(PUSH_SCHEMAS[object_type](), record, f"The {object_type} record is not valid")


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
            "placed_at": (
                datetime.fromtimestamp(cscart["timestamp"], timezone.utc) if cscart["timestamp"] is not None else None
            ),
            "status": cscart["status"],
            "items": [
                {
                    "product_id": item["product_id"],
                    "name": item["product"],
                    "amount": item["amount"],
                    "price": item["price"],
                }
                for item in cscart["products"]
            ],
        }
    return {
        "id": cscart["company_id"],
        "name": cscart["company"],
        "email": cscart["email"] or "",
        "status": cscart["status"],
        "logo_url": cscart["logos"],
    }


def load_record(object_type: str, record) -> dict:
    return record_from_cscart(object_type, load_cscart(object_type, record))


RECORD_SCHEMAS = {"product": ProductOut, "order": OrderOut, "company": VendorOut}


def dump_record(object_type: str, record: dict) -> dict:
    return RECORD_SCHEMAS[object_type]().dump(record)


def load_objects(objects) -> list[dict]:
    try:
        return ContextObject(many=True).load(objects)
    except ValidationError as error:
        raise ValidationFailed("The objects to resolve are not valid", {"objects": error.messages})


def dump_resolved_many(answers: dict) -> dict:
    # One schema for the whole page: making a schema costs more than dumping with it.
    schema = Resolved()
    return {key: schema.dump(answer) if answer else None for key, answer in answers.items()}
