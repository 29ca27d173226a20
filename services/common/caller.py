"""Who is calling: the identity the gateway reads from the token and passes over RPC, signed
(services/common/signing.py); `from_dict` is for callers already trusted (verified, or stored)."""

from dataclasses import asdict, dataclass, field
from typing import Any

ROLES = ("customer", "vendor", "admin", "system")

# The conversation groups' permissions (services/common/access.py), then the administration's
# own: a restricted admin holds only those named in its token.
PERMISSIONS = (
    "view_vendor_communication",
    "manage_vendor_communication",
    "view_order_communication",
    "manage_order_communication",
    "view_admin_communication",
    "manage_admin_communication",
    "manage_settings",
    "manage_webhooks",
    "manage_catalog",
    "view_reports",
    "moderate_messages",
    "manage_privacy",
)

# The side of a conversation each role speaks for; `system` is an integration, not a side.
SIDE_OF_ROLE = {"customer": "customer", "vendor": "vendor", "admin": "admin"}


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str
    company_id: str | None = None
    name: str = ""
    email: str = ""
    # None means every permission of the role; a list narrows it.
    permissions: tuple[str, ...] | None = field(default=None)

    @property
    def side(self) -> str | None:
        return SIDE_OF_ROLE.get(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may(self, permission: str) -> bool:
        return self.permissions is None or permission in self.permissions

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["permissions"] = list(self.permissions) if self.permissions is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Caller":
        permissions = data.get("permissions")
        return cls(
            user_id=str(data["user_id"]),
            role=data["role"],
            company_id=str(data["company_id"]) if data.get("company_id") not in (None, "") else None,
            name=data.get("name") or "",
            email=data.get("email") or "",
            permissions=tuple(permissions) if permissions is not None else None,
        )


# The storefront's catalog sync, as a caller: what writes the catalog on no person's behalf.
STOREFRONT_SYNC = Caller(user_id="storefront-sync", role="system")

# A service asking another on no person's behalf (conversations resolving a thread's object,
# notifications looking up a vendor's address): the system, signed like any caller
# (services/common/signing.py), and named so a refusal in a log says which service it was.
CONVERSATIONS_SERVICE = Caller(user_id="service-conversations", role="system")
NOTIFICATIONS_SERVICE = Caller(user_id="service-notifications", role="system")
