import time
import uuid

import pytest


class World:
    """A small marketplace of its own for one test: ids unique to it, tokens for every person."""

    def __init__(self, stack):
        self.stack = stack
        self.tag = uuid.uuid4().hex[:6]
        self.system = stack.token("system", sub="storefront-sync")

    def id(self, prefix):
        return f"{prefix}{self.tag}"

    def push(self, kind, record_id, record):
        answer = self.stack.call("PUT", f"/v1/catalog/{kind}/{record_id}", self.system, json=record)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def vendor(self, key, name=None, status="A"):
        company_id = self.id(key)
        self.push("vendors", company_id, {"company_id": company_id, "company": name or f"Vendor {key}",
                                          "email": f"sales-{company_id}@vendors.test", "status": status})
        return company_id

    def product(self, key, company_id, name="Brass Desk Lamp", price="49.90"):
        product_id = self.id(key)
        self.push("products", product_id, {"product_id": product_id, "product": name, "product_code": f"SKU-{key}",
                                           "price": price, "company_id": company_id, "status": "A"})
        return product_id

    def order(self, key, company_id, customer_id, status="P"):
        order_id = self.id(key)
        self.push("orders", order_id, {
            "order_id": order_id, "company_id": company_id, "user_id": customer_id, "total": "99.00",
            "timestamp": 1764000000, "status": status, "firstname": "Ann", "lastname": "Lee",
            "email": f"{customer_id}@buyers.test", "phone": "+1 555 0100",
            "products": {"1": {"product_id": "x", "product": "Lamp", "amount": 1, "price": "99.00"}}})
        return order_id

    def customer(self, key):
        user_id = self.id(key)
        return self.stack.token("customer", sub=user_id, name=f"Customer {key}", email=f"{user_id}@buyers.test"), user_id

    def staff(self, company_id, key="staff", permissions=None):
        return self.stack.token("vendor", sub=self.id(key), company_id=company_id, name=f"Staff {key}",
                                email=f"{self.id(key)}@vendors.test", permissions=permissions)

    def admin(self, key="admin", permissions=None):
        return self.stack.token("admin", sub=self.id(key), name="Admin", email=f"{self.id(key)}@marketplace.test",
                                permissions=permissions)

    def ask(self, token, object_type, object_id, message="Hello?", **extra):
        answer = self.stack.call("POST", "/v1/threads", token, json={
            "type": extra.pop("type", "vendor_to_customer"), "object": {"type": object_type, "id": object_id},
            "message": message, **extra})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["thread"]["id"]

    def post(self, token, thread_id, body, **kwargs):
        return self.stack.call("POST", f"/v1/threads/{thread_id}/messages", token, json={"body": body}, **kwargs)

    def inbox(self, token, **params):
        answer = self.stack.call("GET", "/v1/threads", token, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait(self, condition, timeout=15.0):
        """For what happens through events, a moment after the request that caused it."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the expected change did not happen"
            time.sleep(0.2)

    def summary(self, token, thread_id):
        return {item["id"]: item for item in self.inbox(token, limit=100)["items"]}.get(thread_id)


@pytest.fixture
def world(stack):
    return World(stack)
