"""The web front: the Message Center's web components.

/ui/message-center.js is always served: storefronts and portals load it from here, so it
carries CORS (a module script from another origin needs it) and a short cache with an ETag.
The demo pages (/ui/demo/...) are dev/'s: dev/demo.py, registered only beside the demo data.
"""
from pathlib import Path

from flask import send_from_directory
from flask_smorest import Blueprint

GATEWAY = Path(__file__).resolve().parent.parent
STATIC = GATEWAY / "static"
MODULE = "message-center.js"
# Long enough to spare repeat downloads while a person browses, short enough that a deployment
# reaches every page within minutes; the ETag makes the revalidation a 304.
MODULE_MAX_AGE = 300

blp = Blueprint("ui", __name__, url_prefix="/ui", description="The web front: components for storefronts and portals")


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
