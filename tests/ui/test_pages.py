"""How the gateway serves the web front: the module always, for any origin, cached briefly;
the demo pages only beside the demo data (DEMO=1), never in a deployment."""
import re

import jwt
import pytest

from dev.app import create_app  # the development gateway: the demo pages are dev/'s
from services.common.config import Settings
from tests.fixtures.callers import CALLER_SIGNING_KEY

SECRET = "pages-test-secret-" + "z" * 32


@pytest.fixture
def client(monkeypatch):
    def make(demo):
        if demo:
            monkeypatch.setenv("DEMO", "1")
        else:
            monkeypatch.delenv("DEMO", raising=False)
        return create_app(Settings(JWT_SECRET=SECRET, CALLER_SIGNING_KEY=CALLER_SIGNING_KEY, PUSH_PORT=18081)).test_client()
    return make


def test_the_module_is_served_as_javascript_to_any_origin_and_revalidated_cheaply(client):
    http = client(demo=False)
    module = http.get("/ui/message-center.js")
    assert module.status_code == 200
    assert module.mimetype == "text/javascript"
    assert module.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in module.headers["Cache-Control"]
    assert b"customElements.define" in module.data
    again = http.get("/ui/message-center.js", headers={"If-None-Match": module.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/ui/demo", "/ui/demo/storefront", "/ui/demo/vendor", "/ui/demo/admin"])
def test_without_the_demo_there_are_no_demo_pages(client, path):
    answer = client(demo=False).get(path)
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


def signed_in_as(page: str) -> dict:
    """Who the page's token says the reader is; the expiry is left out because the page and the
    test mint their tokens at moments that may fall in different seconds."""
    token = re.search(r'token="([^"]+)"', page).group(1)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})
    claims.pop("exp", None)
    return claims


def test_the_demo_pages_carry_the_seeded_people_and_the_push_address(client):
    from dev import seed
    people = {name: signed_in_as(f'token="{token}"') for name, token in seed.people(SECRET).items()}
    http = client(demo=True)
    storefront = http.get("/ui/demo/storefront", base_url="http://127.0.0.1:8080").get_data(as_text=True)
    assert signed_in_as(storefront) == people["customer"]
    assert 'events-url="http://127.0.0.1:18081/v1/events"' in storefront
    assert 'product-id="101"' in storefront and "Brass Desk Lamp" in storefront
    # The context panel's storefront links land on the same page, on the product they name.
    linked = http.get("/ui/demo/storefront/index.php?dispatch=products.view&product_id=201").get_data(as_text=True)
    assert "Oak Side Table" in linked and 'product-id="201"' in linked
    assert signed_in_as(http.get("/ui/demo/vendor?vendor=2").get_data(as_text=True)) == people["vendor 2 (Oak & Thread)"]
    assert signed_in_as(http.get("/ui/demo/admin").get_data(as_text=True)) == people["admin"]
