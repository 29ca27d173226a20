"""The demo pages: a storefront, a vendor's and the administration's Message Center, with the
demo marketplace's people signed in (dev/seed.py).

They carry the demo people's tokens, so they exist only in development: dev/app.py registers
this blueprint when DEMO=1 (`make run` sets it beside the demo data, and the test stack as
`make run` does); the production gateway has no such routes, and never imports dev/.
"""

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template, request, send_from_directory
from flask_smorest import Blueprint

from . import seed

STATIC = Path(__file__).parent / "static"
# The page loads the web components from the gateway's public address for them.
MODULE_URL = "/ui/message-center.js"
# Who may call them, in the document as the gateway's own operations say it (gateway/who.py).
PAGE = {
    "security": [],
    "x-who-may-call": "anyone (no token), beside the demo data only (DEMO=1)",
    "responses": {
        "200": {
            "description": "An HTML page (development only: DEMO=1).",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    },
}

blp = Blueprint(
    "demo",
    __name__,
    url_prefix="/ui/demo",
    template_folder=str(Path(__file__).parent / "templates"),
    description="Demo pages beside the demo data (development only: DEMO=1)",
)


# Pictures and the pages' icon, from files in the repository.
FILE = {
    "security": [],
    "x-who-may-call": "anyone (no token), beside the demo data only (DEMO=1)",
    "responses": {
        "200": {
            "description": "An SVG picture (development only: DEMO=1).",
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
        }
    },
}


@blp.route("", strict_slashes=False)
@blp.doc(**PAGE)
def index():
    """Links to the three demo pages (development only: DEMO=1)."""
    return render_template("demo/index.html", **page_settings())


@blp.route("/storefront")
@blp.route("/storefront/index.php")
@blp.doc(**PAGE)
def storefront():
    """A product page with the customer's Messages tab (development only: DEMO=1). The
    context panel's links (`STOREFRONT_URL/index.php?dispatch=products.view&product_id=…`)
    land here too."""
    product_id = request.args.get("product_id", seed.PRODUCTS[0]["product_id"])
    product = next((item for item in seed.PRODUCTS if item["product_id"] == product_id), seed.PRODUCTS[0])
    vendor = next(item for item in seed.VENDORS if item["company_id"] == product["company_id"])
    order = next((item for item in seed.ORDERS if item["company_id"] == vendor["company_id"]), None)
    return render_template(
        "demo/storefront.html",
        product=product,
        vendor=vendor,
        order=order,
        token=people()["customer"],
        **page_settings(),
    )


@blp.route("/vendor")
@blp.doc(**PAGE)
def vendor():
    """The vendor's Message Center (development only: DEMO=1); `?vendor=2` for the other vendor."""
    company_id = request.args.get("vendor", "1")
    vendor = next((item for item in seed.VENDORS if item["company_id"] == company_id), seed.VENDORS[0])
    token = people()[f"vendor {vendor['company_id']} ({vendor['company']})"]
    return render_template(
        "demo/center.html",
        title=f"{vendor['company']} — vendor panel",
        who=vendor["company"],
        token=token,
        **page_settings(),
    )


@blp.route("/admin")
@blp.doc(**PAGE)
def admin():
    """The administration's Message Center (development only: DEMO=1)."""
    return render_template(
        "demo/center.html",
        title="Marketplace administration",
        who="Marketplace admin",
        token=people()["admin"],
        **page_settings(),
    )


@blp.route("/pictures/<name>")
@blp.doc(**FILE)
def picture(name):
    """A demo product's picture (development only: DEMO=1)."""
    return send_from_directory(STATIC / "pictures", name, max_age=3600)


@blp.route("/favicon.svg")
@blp.doc(**FILE)
def favicon():
    """The demo pages' icon (development only: DEMO=1)."""
    return send_from_directory(STATIC, "favicon.svg", max_age=3600)


def people() -> dict:
    return seed.people(current_app.config["SETTINGS"].JWT_SECRET)


def page_settings() -> dict:
    # The push process listens on PUSH_PORT of the same host the page came from.
    host = urlsplit(request.host_url).hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = current_app.config["SETTINGS"].PUSH_PORT
    return {"events_url": f"{request.scheme}://{host}:{port}/v1/events", "module_url": MODULE_URL}


def thread_links(base_url: str) -> dict:
    """The settings that make the links in mails and bell items open these pages (`make run`
    and the test stack set them; a deployment's defaults are CS-Cart's pages)."""
    return {
        "STOREFRONT_THREAD_URL": f"{base_url}/ui/demo/storefront?thread_id={{thread_id}}",
        "PORTAL_THREAD_URL": f"{base_url}/ui/demo/{{side}}?thread_id={{thread_id}}",
    }
