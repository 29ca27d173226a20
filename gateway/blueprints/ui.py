"""The web front: the Message Center's web components, and demo pages beside the demo data.

/ui/message-center.js is always served: storefronts and portals load it from here, so it
carries CORS (a module script from another origin needs it) and a short cache with an ETag.
The demo pages exist only when DEMO=1 (`make run` in development sets it, beside the demo
seed); anywhere else they are 404, and the seeded tokens never leave the process.
"""
import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template, request, send_from_directory
from flask_smorest import Blueprint

from services.common.errors import NotFound

GATEWAY = Path(__file__).resolve().parent.parent
STATIC = GATEWAY / "static"
MODULE = "message-center.js"
# Long enough to spare repeat downloads while a person browses, short enough that a deployment
# reaches every page within minutes; the ETag makes the revalidation a 304.
MODULE_MAX_AGE = 300

# The demo pages are HTML (a 404 in the contract's JSON shape where DEMO is not set).
DEMO_PAGE = {"security": [], "responses": {"200": {"description": "An HTML page (development only: DEMO=1).",
                                                    "content": {"text/html": {"schema": {"type": "string"}}}}}}

blp = Blueprint("ui", __name__, url_prefix="/ui", template_folder=str(GATEWAY / "templates"),
                description="The web front: components for storefronts and portals, demo pages")


@blp.route(f"/{MODULE}")
@blp.doc(security=[], responses={"200": {"description": "An ES module defining <mc-ask-question>, "
                                                        "<mc-messages> and <mc-message-center>.",
                                         "content": {"text/javascript": {"schema": {"type": "string"}}}}})
def module():
    """The Message Center web components (one ES module, no build step)."""
    response = send_from_directory(STATIC, MODULE, mimetype="text/javascript", max_age=MODULE_MAX_AGE,
                                   conditional=True, etag=True)
    response.charset = "utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/demo")
@blp.doc(**DEMO_PAGE)
def demo_index():
    """Links to the three demo pages (development only: DEMO=1)."""
    demo_only()
    return render_template("demo/index.html", **page_settings())


@blp.route("/demo/storefront")
@blp.route("/demo/storefront/index.php")
@blp.doc(**DEMO_PAGE)
def storefront():
    """A product page with the customer's Messages tab (development only: DEMO=1). The
    context panel's links (`STOREFRONT_URL/index.php?dispatch=products.view&product_id=…`)
    land here too."""
    demo_only()
    from dev import seed
    product_id = request.args.get("product_id", seed.PRODUCTS[0]["product_id"])
    product = next((item for item in seed.PRODUCTS if item["product_id"] == product_id), seed.PRODUCTS[0])
    vendor = next(item for item in seed.VENDORS if item["company_id"] == product["company_id"])
    order = next((item for item in seed.ORDERS if item["company_id"] == vendor["company_id"]), None)
    return render_template("demo/storefront.html", product=product, vendor=vendor, order=order,
                           token=people()["customer"], **page_settings())


@blp.route("/demo/vendor")
@blp.doc(**DEMO_PAGE)
def vendor():
    """The vendor's Message Center (development only: DEMO=1); `?vendor=2` for the other vendor."""
    demo_only()
    from dev import seed
    company_id = request.args.get("vendor", "1")
    vendor = next((item for item in seed.VENDORS if item["company_id"] == company_id), seed.VENDORS[0])
    token = people()[f"vendor {vendor['company_id']} ({vendor['company']})"]
    return render_template("demo/center.html", title=f"{vendor['company']} — vendor panel", who=vendor["company"],
                           token=token, **page_settings())


@blp.route("/demo/admin")
@blp.doc(**DEMO_PAGE)
def admin():
    """The administration's Message Center (development only: DEMO=1)."""
    demo_only()
    return render_template("demo/center.html", title="Marketplace administration", who="Marketplace admin",
                           token=people()["admin"], **page_settings())


def demo_only() -> None:
    if os.environ.get("DEMO") != "1":
        raise NotFound("The demo pages are served only in development (make run).")


def people() -> dict:
    # dev/ is not in the production image: imported only when the demo is on.
    from dev import seed
    return seed.people(current_app.config["SETTINGS"].JWT_SECRET)


def page_settings() -> dict:
    # The push process listens on PUSH_PORT of the same host the page came from.
    host = urlsplit(request.host_url).hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = current_app.config["SETTINGS"].PUSH_PORT
    return {"events_url": f"{request.scheme}://{host}:{port}/v1/events", "module_url": f"/ui/{MODULE}"}
