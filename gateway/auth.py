"""Who is calling: the bearer token the storefront or a portal minted (HS256, JWT_SECRET)."""

import jwt
from flask import current_app, g, request

from services.common.caller import PERMISSIONS, ROLES, Caller
from services.common.config import Settings
from services.common.errors import MessageCenterError
from services.common.signing import Envelope, sign

# The storefront's clock and this server's drift apart: iat, nbf and exp are judged this loosely.
LEEWAY_SECONDS = 60


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
    return caller_from_token(token, current_app.config["SETTINGS"])


def signed(caller: Caller | None = None) -> Envelope:
    """The caller (this request's, by default) as the services take it: signed with
    CALLER_SIGNING_KEY, issued now. A broker client cannot make one (services/common/signing.py)."""
    return sign(caller or current_caller(), current_app.config["SETTINGS"].CALLER_SIGNING_KEY)


def caller_from_token(token: str, settings: Settings) -> Caller:
    """The caller a token names; Unauthorized when it is not one this marketplace signed.
    The push process (gateway/push.py) reads its tokens from the query string with this too."""
    try:
        claims = jwt.decode(
            token.strip(),
            settings.JWT_SECRET,
            algorithms=["HS256"],
            leeway=LEEWAY_SECONDS,
            issuer=settings.JWT_ISSUER or None,
            audience=settings.JWT_AUDIENCE or None,
            options={"require": ["sub", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired.")
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"The token is not valid: {error}.")
    problem = malformed_claim(claims)
    if problem:
        raise Unauthorized(problem)
    return Caller.from_dict(
        {
            "user_id": claims["sub"],
            "role": claims["role"],
            "company_id": claims.get("company_id"),
            "name": claims.get("name"),
            "email": claims.get("email"),
            "permissions": claims.get("permissions"),
        }
    )


def malformed_claim(claims: dict) -> str | None:
    """What is wrong with the claims of a correctly signed token; None when nothing is.
    A signature proves who minted the token, not that its claims have the contract's types."""
    if not isinstance(claims["sub"], str) or not claims["sub"].strip():
        return "The token's sub must name the user (a string)."
    role = claims.get("role")
    if not isinstance(role, str) or role not in ROLES:
        return f"The token's role must be one of {', '.join(ROLES)}."
    company_id = claims.get("company_id")
    if company_id is not None and (isinstance(company_id, bool) or not isinstance(company_id, (str, int))):
        return "The token's company_id must be a string or an integer."
    if role == "vendor" and company_id in (None, ""):
        return "A vendor's token must carry company_id."
    for name in ("name", "email"):
        if not isinstance(claims.get(name) or "", str):
            return f"The token's {name} must be a string."
    permissions = claims.get("permissions")
    if permissions is not None and (
        not isinstance(permissions, list)
        or not all(isinstance(permission, str) and permission in PERMISSIONS for permission in permissions)
    ):
        return "The token's permissions claim must be a list of known permissions."
    return None


def require_role(*roles: str) -> Caller:
    from services.common.errors import Forbidden

    caller = current_caller()
    if caller.role not in roles:
        raise Forbidden(f"This needs the role {' or '.join(roles)}.")
    return caller
