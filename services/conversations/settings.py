"""The marketplace's conversation settings: which kinds of conversation are on, where the
storefront offers to ask, and what happens to contact details in messages (moderation.py)."""

import phonenumbers

from services.common import access
from services.common.caller import Caller
from services.common.errors import Forbidden, ValidationFailed

PUBLIC_SETTINGS = {
    "customer_to_vendor_enabled": True,
    "vendor_to_admin_enabled": True,
    "show_on_product": True,
    "show_on_vendor": True,
    "show_on_order": True,
}
MODERATION_SETTINGS = {
    "moderation_customer_to_vendor": "allow",
    "moderation_vendor_to_customer": "allow",
    "moderation_phone_region": "US",
    "moderation_allowed_domains": [],
    "moderation_blocked_words": [],
}
DEFAULT_SETTINGS = {**PUBLIC_SETTINGS, **MODERATION_SETTINGS}


def current(store) -> dict:
    stored = store.get_settings()
    return {name: stored.get(name, default) for name, default in DEFAULT_SETTINGS.items()}


def public(store) -> dict:
    """What the storefront may read without a token: which buttons to show."""
    return {name: value for name, value in current(store).items() if name in PUBLIC_SETTINGS}


def for_administration(store, caller: Caller) -> dict:
    if not caller.is_admin:
        raise Forbidden("Only the administration reads the settings.")
    return current(store)


def update(store, caller: Caller, values: dict) -> dict:
    if not access.may_change_settings(caller):
        raise Forbidden("Only the administration changes settings (permission manage_settings).")
    region = values.get("moderation_phone_region")
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed(
            "Unknown phone region.",
            {
                "moderation_phone_region": [
                    f"{region} is not a region libphonenumber knows (ISO 3166 codes such as US, GB, DE, FR, ES)."
                ]
            },
        )
    if "moderation_blocked_words" in values:
        # One way of writing each: trimmed, once, in the order given.
        values = {
            **values,
            "moderation_blocked_words": list(
                dict.fromkeys(word.strip() for word in values["moderation_blocked_words"] if word.strip())
            ),
        }
    store.put_settings(values)
    return current(store)
