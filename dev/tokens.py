"""Tokens as the storefront and the portals mint them (HS256 with JWT_SECRET)."""

import time

import jwt


def mint(
    secret: str,
    sub: str,
    role: str,
    *,
    company_id: str | None = None,
    name: str = "",
    email: str = "",
    permissions: list[str] | None = None,
    ttl: int | None = 30 * 24 * 3600,
    issuer: str = "",
    audience: str = "",
) -> str:
    claims = {"sub": sub, "role": role, "name": name, "email": email}
    if company_id is not None:
        claims["company_id"] = company_id
    if permissions is not None:
        claims["permissions"] = permissions
    if ttl is not None:
        claims["exp"] = int(time.time()) + ttl
    # What the gateway checks when JWT_ISSUER and JWT_AUDIENCE are set.
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
