"""Who is calling: the bearer token the storefront or a portal minted (HS256, JWT_SECRET)."""
import jwt
from flask import current_app, g, request

from services.common.caller import PERMISSIONS, ROLES, Caller
from services.common.errors import MessageCenterError


class Unauthorized(MessageCenterError):
    code, status = "unauthorized", 401


def current_caller() -> Caller:
    if "caller" not in g:
        g.caller = _read_token()
    return g.caller


def _read_token() -> Caller:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required (Authorization: Bearer <JWT>).")
    return caller_from_token(token, current_app.config["SETTINGS"].JWT_SECRET)


def caller_from_token(token: str, secret: str) -> Caller:
    """The caller a token names; Unauthorized when it is not one this marketplace signed.
    The push process (gateway/push.py) reads its tokens from the query string with this too."""
    try:
        claims = jwt.decode(token.strip(), secret, algorithms=["HS256"], options={"require": ["sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired.")
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"The token is not valid: {error}.")
    role = claims.get("role")
    if role not in ROLES:
        raise Unauthorized(f"The token's role must be one of {', '.join(ROLES)}.")
    if role == "vendor" and claims.get("company_id") in (None, ""):
        raise Unauthorized("A vendor's token must carry company_id.")
    permissions = claims.get("permissions")
    if permissions is not None and (not isinstance(permissions, list)
                                    or not set(permissions) <= set(PERMISSIONS)):
        raise Unauthorized("The token's permissions claim must be a list of known permissions.")
    return Caller.from_dict({
        "user_id": claims["sub"], "role": role, "company_id": claims.get("company_id"),
        "name": claims.get("name"), "email": claims.get("email"), "permissions": permissions,
    })


def require_role(*roles: str) -> Caller:
    from services.common.errors import Forbidden
    caller = current_caller()
    if caller.role not in roles:
        raise Forbidden(f"This needs the role {' or '.join(roles)}.")
    return caller
