"""The gateway's app factory: flask-smorest blueprints, one error handler, one RPC client a thread."""

import logging

from flask import Flask
from flask_smorest import Api

from services.common import attachment_urls
from services.common.config import load_settings
from services.common.secrets_policy import check_signing_secret
from services.contracts import catalog

from . import api_docs, body_rules, cors, errors, metrics, nesting, nullable_objects, paths, request_ids, rpc, who

log = logging.getLogger(__name__)

# Every body but an upload's (gateway/uploads.py sets its own limit on that one route).
MAX_BODY_BYTES = 64 * 1024


class ContractApi(Api):
    # The document describes the errors the handlers in gateway.errors write.
    ERROR_SCHEMA = errors.ErrorSchema

    def _register_error_handlers(self):
        # Errors leave through gateway.errors in the contract's shape, not flask-smorest's.
        pass


def create_app(settings=None, more_blueprints=()) -> Flask:
    """The production gateway; `more_blueprints` are flask-smorest blueprints registered beside
    its own (dev/app.py adds the demo pages that way: the gateway never imports dev/)."""
    settings = settings or load_settings()
    # Raised here, a refusal stops every gunicorn worker's boot, and so gunicorn itself.
    check_signing_secret(settings, log, "JWT_SECRET")
    check_signing_secret(settings, log, "CALLER_SIGNING_KEY")
    attachment_urls.url_key(settings, log)  # a weak ATTACHMENT_URL_KEY, when set, is refused too
    # No static folder: the few files the gateway serves go through routes of their own
    # (the ui blueprint's script, api_docs' Swagger UI files).
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        API_TITLE="Message Center",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        **api_docs.SETTINGS,
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                    "metrics": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearer": []}],
        },
    )
    rpc.configure(settings)
    paths.register(app)  # before the blueprints' routes use its converter
    api = ContractApi(
        app,
        spec_kwargs={"extra_plugins": [who.Documented(), body_rules.BodyRules(), nullable_objects.NullableObjects()]},
    )
    # A CS-Cart price, amount or id is a number or its text, an order's items a list or an
    # object of them: each such field states its choices (its `oneOf`), so no one type here.
    api.register_field(catalog.Documented, None, None)
    api_docs.register(app)
    request_ids.register(app)
    errors.register(app)
    who.register(app)
    nesting.register(app)
    metrics.register(app)
    cors.register(app, settings.CORS_ORIGINS)

    from .blueprints import ops

    api.register_blueprint(ops.blp)
    for blueprint in (*_resource_blueprints(), *more_blueprints):
        api.register_blueprint(blueprint)
    return app


def _resource_blueprints():
    from .blueprints import (
        attachments,
        broadcasts,
        catalog,
        moderation,
        notifications,
        privacy,
        reports,
        saved_replies,
        settings,
        threads,
        ui,
    )

    return [
        threads.blp,
        attachments.blp,
        broadcasts.blp,
        reports.blp,
        settings.blp,
        catalog.blp,
        notifications.blp,
        ui.blp,
        saved_replies.blp,
        moderation.blp,
        privacy.blp,
    ]
