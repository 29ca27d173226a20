"""How the gateway serves the web front: the modules always, for any origin (the entry cached
briefly, the versioned modules it imports for good), only the files of gateway/static; the
demo pages only beside the demo data (DEMO=1), never in a deployment."""

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
        return create_app(
            Settings(JWT_SECRET=SECRET, CALLER_SIGNING_KEY=CALLER_SIGNING_KEY, PUSH_PORT=18081)
        ).test_client()

    return make


def served_as_a_module(answer):
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["ETag"]


def test_the_module_is_served_as_javascript_to_any_origin_and_revalidated_cheaply(client):
    http = client(demo=False)
    module = http.get("/ui/message-center.js")
    served_as_a_module(module)
    assert module.headers["Cache-Control"] == "public, max-age=300"
    assert b"export {MessageCenter} from" in module.data
    again = http.get("/ui/message-center.js", headers={"If-None-Match": module.headers["ETag"]})
    assert again.status_code == 304


def test_the_entry_imports_one_version_of_the_modules_which_are_cached_for_good(client):
    http = client(demo=False)
    entry = http.get("/ui/message-center.js").get_data(as_text=True)
    imported = re.findall(r"from '\./v/([0-9a-f]{16})/([a-z0-9-]+\.js)'", entry)
    assert {name for _, name in imported} >= {
        "strings.js",
        "api.js",
        "mc-ask-question.js",
        "mc-messages.js",
        "mc-message-center.js",
    }
    assert len({version for version, _ in imported}) == 1  # one version for the whole graph
    assert "from './" not in re.sub(r"from '\./v/", "", entry)  # nothing left unversioned
    version = imported[0][0]
    element = http.get(f"/ui/v/{version}/mc-message-center.js")
    served_as_a_module(element)
    assert element.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"customElements.define('mc-message-center'" in element.data
    assert b"from './inbox.js'" in element.data  # relative: stays inside /ui/v/<version>/
    assert http.get(f"/ui/v/{version}/inbox.js", headers={"If-None-Match": element.headers["ETag"]}).status_code == 200
    assert (
        http.get(
            f"/ui/v/{version}/inbox.js",
            headers={"If-None-Match": http.get(f"/ui/v/{version}/inbox.js").headers["ETag"]},
        ).status_code
        == 304
    )


def test_a_module_of_another_version_is_served_but_never_kept(client):
    """An entry cached from before a deployment names the old version: it gets this gateway's
    modules, which must not be cached for a year under a version they are not."""
    answer = client(demo=False).get("/ui/v/0123456789abcdef/api.js")
    served_as_a_module(answer)
    assert answer.headers["Cache-Control"] == "no-store"


def test_every_module_is_served_unversioned_too_with_the_short_cache(client):
    from gateway.blueprints.ui import STATIC

    http = client(demo=False)
    for path in sorted(STATIC.glob("*.js")):
        answer = http.get(f"/ui/{path.name}")
        served_as_a_module(answer)
        assert answer.headers["Cache-Control"] == "public, max-age=300"
        if path.name != "message-center.js":
            assert answer.data == path.read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/ui/nothing.js",
        "/ui/v/0123456789abcdef/nothing.js",
        "/ui/v/not-a-version/api.js",
        "/ui/..%2Fblueprints%2Fui.py",
        "/ui/..%2F..%2Fconfig.yml",
        "/ui/%2e%2e/app.py",
        "/ui/v/%2e%2e/api.js",
        "/ui/v/0123/..%2F..%2Fapp.py",
        "/ui/..%2Fapp.js",
        "/ui/%2Fetc%2Fpasswd",
        "/ui/api.js%00.py",
        "/ui/api.JS",
        "/ui/api.mjs",
        "/ui/static/api.js",
        "/ui/v/0123/sub/api.js",
    ],
)
def test_only_the_modules_in_gateway_static_are_served(client, path):
    answer = client(demo=False).get(path)
    assert answer.status_code == 404, path
    assert answer.json["error"]["code"] == "not_found"


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
    assert (
        signed_in_as(http.get("/ui/demo/vendor?vendor=2").get_data(as_text=True)) == people["vendor 2 (Oak & Thread)"]
    )
    assert signed_in_as(http.get("/ui/demo/admin").get_data(as_text=True)) == people["admin"]


def test_the_upload_limits_are_the_gateways_own_settings_for_any_page(monkeypatch):
    monkeypatch.delenv("DEMO", raising=False)
    http = create_app(
        Settings(
            JWT_SECRET=SECRET,
            CALLER_SIGNING_KEY=CALLER_SIGNING_KEY,
            ATTACHMENT_MAX_BYTES=2048,
            ATTACHMENTS_PER_MESSAGE=3,
        )
    ).test_client()
    answer = http.get("/v1/uploads/limits")  # no token: a page checks a file before sending it
    assert answer.status_code == 200
    assert answer.json["max_bytes"] == 2048 and answer.json["files_per_message"] == 3
    assert "image/jpeg" in answer.json["content_types"] and "application/pdf" in answer.json["content_types"]


def test_the_demo_index_answers_with_and_without_its_slash_and_serves_its_own_pictures(client):
    http = client(demo=True)
    for path in ("/ui/demo", "/ui/demo/"):
        page = http.get(path)
        assert page.status_code == 200 and b"<title>" in page.data and b'lang="en"' in page.data, path
    for path in (
        "/ui/demo/favicon.svg",
        "/ui/demo/pictures/lamp.svg",
        "/ui/demo/pictures/shade.svg",
        "/ui/demo/pictures/table.svg",
    ):
        picture = http.get(path)
        assert picture.status_code == 200 and picture.mimetype == "image/svg+xml", path
    assert http.get("/ui/demo/pictures/..%2Fdemo.py").status_code == 404
    storefront = http.get("/ui/demo/storefront").get_data(as_text=True)
    assert 'src="/ui/demo/pictures/lamp.svg"' in storefront and "picsum" not in storefront
