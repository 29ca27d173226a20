"""The marketplace's conversation settings: which kinds of conversation are on, and where the
storefront offers to ask."""
from services.common import access
from services.common.caller import Caller
from services.common.errors import Forbidden

DEFAULT_SETTINGS = {"customer_to_vendor_enabled": True, "vendor_to_admin_enabled": True,
                    "show_on_product": True, "show_on_vendor": True, "show_on_order": True}


def current(store) -> dict:
    stored = store.get_settings()
    return {name: stored.get(name, default) for name, default in DEFAULT_SETTINGS.items()}


def update(store, caller: Caller, values: dict) -> dict:
    if not access.may_change_settings(caller):
        raise Forbidden("Only the administration changes settings (permission manage_settings).")
    store.put_settings(values)
    return current(store)
