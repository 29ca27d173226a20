"""A vendor, a product and customers asking about it: what the fault and scale tests post to."""

import uuid

from tests.faults.traffic import Traffic

SIZE_CHART = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class Shop:
    """A vendor, a product and customers who each asked a question about it."""

    def __init__(self, system):
        self.system = system
        self.tag = "t" + uuid.uuid4().hex[:6]
        self.system_token = system.token("system", sub="storefront-sync")
        self.company_id = f"v{self.tag}"
        self.email = f"sales-{self.company_id}@vendors.test"
        self.put(
            "vendors",
            self.company_id,
            {"company_id": self.company_id, "company": f"Vendor {self.tag}", "email": self.email, "status": "A"},
        )
        self.product_id = f"p{self.tag}"
        self.put(
            "products",
            self.product_id,
            {
                "product_id": self.product_id,
                "product": "Brass Desk Lamp",
                "price": "49.90",
                "company_id": self.company_id,
                "status": "A",
            },
        )
        self.vendor_token = system.token(
            "vendor",
            sub=f"staff-{self.tag}",
            company_id=self.company_id,
            name="Staff",
            email=f"staff-{self.tag}@vendors.test",
        )

    def put(self, kind, record_id, record):
        answer = self.system.call("PUT", f"/v1/catalog/{kind}/{record_id}", self.system_token, json=record)
        assert answer.status_code == 200, answer.text

    def customers(self, count: int) -> list[tuple[str, str]]:
        asked = []
        for number in range(count):
            user_id = f"{self.tag}-buyer{number}"
            token = self.system.token("customer", sub=user_id, name=f"Buyer {number}", email=f"{user_id}@buyers.test")
            answer = self.system.call(
                "POST",
                "/v1/threads",
                token,
                json={
                    "type": "vendor_to_customer",
                    "object": {"type": "product", "id": self.product_id},
                    "message": "Does it take LED bulbs?",
                },
            )
            assert answer.status_code == 201, answer.text
            asked.append((token, answer.json()["thread"]["id"]))
        return asked

    def file_link(self) -> str:
        """A file a customer of its own (not one of `customers`) sends in their question: its
        signed link, as the message gives it."""
        user_id = f"{self.tag}-sender"
        token = self.system.token("customer", sub=user_id, name="File Sender", email=f"{user_id}@buyers.test")
        asked = self.system.call(
            "POST",
            "/v1/threads",
            token,
            json={
                "type": "vendor_to_customer",
                "object": {"type": "product", "id": self.product_id},
                "message": "Which size should I take?",
            },
        )
        assert asked.status_code == 201, asked.text
        thread_id = asked.json()["thread"]["id"]
        uploaded = self.system.call(
            "POST", "/v1/uploads", token, files={"file": ("size-chart.pdf", SIZE_CHART, "application/pdf")}
        )
        assert uploaded.status_code == 201, uploaded.text
        posted = self.system.call(
            "POST",
            f"/v1/threads/{thread_id}/messages",
            token,
            json={"body": "The size chart", "attachments": [uploaded.json()["id"]]},
        )
        assert posted.status_code == 201, posted.text
        return posted.json()["attachments"][0]["url"]

    def traffic(self, clients: int = 4, interval: float = 0.15) -> Traffic:
        return Traffic(self.system, self.customers(clients), self.tag, interval)
