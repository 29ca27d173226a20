"""The demo marketplace `make run` loads in development: two vendors, a few products, an order,
pushed through the gateway exactly as a storefront pushes them, and tokens for each person."""

import requests

from .tokens import mint

# The products' pictures, served by the demo pages from dev/static/pictures (dev/demo.py): the demo
# shows them on a machine without internet. The catalog is given them with the gateway's address.
PICTURES = "/ui/demo/pictures/"
VENDORS = [
    {"company_id": "1", "company": "Lumen Lamps", "email": "sales@lumen-lamps.example", "status": "A"},
    {"company_id": "2", "company": "Oak & Thread", "email": "hello@oak-and-thread.example", "status": "A"},
]
PRODUCTS = [
    {
        "product_id": "101",
        "product": "Brass Desk Lamp",
        "product_code": "LL-DESK-01",
        "price": "89.00",
        "company_id": "1",
        "status": "A",
        "main_pair": {"detailed": {"image_path": PICTURES + "lamp.svg"}},
    },
    {
        "product_id": "102",
        "product": "Linen Lamp Shade",
        "product_code": "LL-SHADE-02",
        "price": "35.50",
        "company_id": "1",
        "status": "A",
        "main_pair": {"detailed": {"image_path": PICTURES + "shade.svg"}},
    },
    {
        "product_id": "201",
        "product": "Oak Side Table",
        "product_code": "OT-TABLE-01",
        "price": "240.00",
        "company_id": "2",
        "status": "A",
        "main_pair": {"detailed": {"image_path": PICTURES + "table.svg"}},
    },
]
ORDERS = [
    {
        "order_id": "5001",
        "company_id": "1",
        "user_id": "c-100",
        "total": "124.50",
        "timestamp": 1764000000,
        "status": "P",
        "firstname": "Ann",
        "lastname": "Lee",
        "email": "ann.lee@customer.example",
        "phone": "+1 555 0100",
        "products": {
            "9001": {"product_id": "101", "product": "Brass Desk Lamp", "amount": 1, "price": "89.00"},
            "9002": {"product_id": "102", "product": "Linen Lamp Shade", "amount": 1, "price": "35.50"},
        },
    },
]


def people(secret: str) -> dict:
    return {
        "customer": mint(secret, "c-100", "customer", name="Ann Lee", email="ann.lee@customer.example"),
        "vendor 1 (Lumen Lamps)": mint(
            secret, "v-1", "vendor", company_id="1", name="Lena (Lumen Lamps)", email="lena@lumen-lamps.example"
        ),
        "vendor 2 (Oak & Thread)": mint(
            secret, "v-2", "vendor", company_id="2", name="Omar (Oak & Thread)", email="omar@oak-and-thread.example"
        ),
        "admin": mint(secret, "a-1", "admin", name="Marketplace admin", email="admin@marketplace.example"),
        "system": mint(secret, "storefront-sync", "system", name="Storefront sync"),
    }


def seed(base_url: str, secret: str) -> dict:
    tokens = people(secret)
    headers = {"Authorization": f"Bearer {tokens['system']}"}
    for kind, records, key in (
        ("vendors", VENDORS, "company_id"),
        ("products", PRODUCTS, "product_id"),
        ("orders", ORDERS, "order_id"),
    ):
        for record in records:
            if kind == "products":
                record = with_picture_at(base_url, record)
            answer = requests.put(
                f"{base_url}/v1/catalog/{kind}/{record[key]}", json=record, headers=headers, timeout=30
            )
            answer.raise_for_status()
    return tokens


def with_picture_at(base_url: str, product: dict) -> dict:
    """The product as the catalog keeps it: its picture's address absolute, as CS-Cart gives it
    (the web components may be on another origin than the gateway)."""
    path = product["main_pair"]["detailed"]["image_path"]
    return {**product, "main_pair": {"detailed": {"image_path": base_url.rstrip("/") + path}}}
