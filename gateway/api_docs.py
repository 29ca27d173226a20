"""/docs, the Swagger UI page, with its script and styles served by the gateway itself: the
page loads nothing from another origin, so no CDN can change what runs beside the API, and
it works where the cluster has no way out."""

from pathlib import Path

import flask_swagger_ui
from flask import send_from_directory

from services.common.errors import NotFound

# swagger-ui-dist's files as the pinned flask-swagger-ui ships them (its blueprint is unused).
DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
ASSETS_URL = "/docs/assets/"
# What flask-smorest's /docs page loads, and nothing else (no oauth2-redirect.html).
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")

SETTINGS = {
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": ASSETS_URL,
    # Swagger UI would otherwise send the spec to swagger.io's online validator.
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": "none"},
}


def register(app):
    app.add_url_rule(ASSETS_URL + "<name>", "swagger_ui_asset", swagger_ui_asset)


def swagger_ui_asset(name: str):
    if name not in ASSETS:
        raise NotFound("No such Swagger UI file.")
    return send_from_directory(DIST, name)
