"""Cross-origin calls from the storefront's and portals' pages to /v1.

The web components run on the marketplace's own pages, which may live on another origin than
the gateway. Identity travels in the bearer token, never in cookies, so credentials are never
allowed; the allowed origins come from CORS_ORIGINS ("*" or a comma-separated list).
"""

from flask import request

ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


def register(app, origins_setting: str):
    origins = {origin.strip() for origin in origins_setting.split(",") if origin.strip()}

    @app.after_request
    def allow_origin(response):
        origin = request.headers.get("Origin")
        if not origin or not request.path.startswith("/v1/"):
            return response
        if "*" in origins:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Vary", "Origin")
        else:
            return response
        response.headers["Access-Control-Expose-Headers"] = "X-Request-ID, Retry-After"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Max-Age"] = "600"
        return response
