"""The administration's permissions, endpoint by endpoint, through the gateway: a full admin may
do everything, restricted staff only what its token names, everyone else nothing."""

import pytest

# endpoint → the permission it needs
NEEDS = {
    "change the settings": "manage_settings",
    "list failed mail": "manage_settings",
    "read response figures": "view_reports",
    "push a vendor": "manage_catalog",
    "delete a vendor": "manage_catalog",
    "register a webhook": "manage_webhooks",
    "list webhooks": "manage_webhooks",
}
HOOK = "http://127.0.0.1:9/permission-test"
WINDOW = {"from": "2026-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"}


def attempt(world, endpoint: str, token: str) -> int:
    call = world.stack.call
    victim = world.vendor("victim")
    if endpoint == "change the settings":
        return call("PUT", "/v1/settings", token, json={"show_on_vendor": True}).status_code
    if endpoint == "list failed mail":
        return call("GET", "/v1/notifications/failed", token).status_code
    if endpoint == "read response figures":
        return call("GET", "/v1/reports/response-times", token, params=WINDOW).status_code
    if endpoint == "push a vendor":
        return call(
            "PUT",
            f"/v1/catalog/vendors/{victim}",
            token,
            json={"company_id": victim, "company": "Renamed", "email": "x@vendors.test", "status": "A"},
        ).status_code
    if endpoint == "delete a vendor":
        status = call("DELETE", f"/v1/catalog/vendors/{victim}", token).status_code
        still_there = call("GET", f"/v1/context/company/{victim}", world.admin()).status_code == 200
        assert still_there == (status >= 400), "a refused delete must delete nothing"
        return status
    if endpoint == "register a webhook":
        # Nothing listens there; the test stack allows loopback receivers (WEBHOOK_ALLOW_PRIVATE).
        return call("POST", "/v1/webhooks", token, json={"url": HOOK, "events": ["message_posted"]}).status_code
    return call("GET", "/v1/webhooks", token).status_code


def succeeded(status: int) -> bool:
    return 200 <= status < 300


@pytest.fixture
def no_test_hooks_left(world):
    """Every message of the stack would be posted to a registered test hook: remove them."""
    yield
    admin = world.admin("cleaner")
    for hook in world.stack.call("GET", "/v1/webhooks", admin).json()["items"]:
        if hook["url"] == HOOK:
            world.stack.call("DELETE", f"/v1/webhooks/{hook['id']}", admin)


@pytest.mark.parametrize("endpoint", list(NEEDS))
def test_each_administration_endpoint_needs_its_permission(world, endpoint, no_test_hooks_left):
    permission = NEEDS[endpoint]
    others = [other for other in set(NEEDS.values()) if other != permission] + ["view_vendor_communication"]
    assert succeeded(attempt(world, endpoint, world.admin("full")))
    assert succeeded(attempt(world, endpoint, world.admin("holder", [permission])))
    assert attempt(world, endpoint, world.admin("restricted", others)) == 403
    shop = world.vendor("shop")
    assert attempt(world, endpoint, world.staff(shop)) == 403
    assert attempt(world, endpoint, world.customer("ann")[0]) == 403
    system = attempt(world, endpoint, world.system)
    assert succeeded(system) if permission == "manage_catalog" else system == 403
