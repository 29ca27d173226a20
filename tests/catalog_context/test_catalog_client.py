"""The one client other services ask the catalog with: signed as the named service, within
one deadline, and a catalog that is away is `Unavailable` (a 503), never a hang."""

import eventlet
import pytest
from nameko.exceptions import UnknownService

from services.common.caller import CONVERSATIONS_SERVICE, NOTIFICATIONS_SERVICE
from services.common.catalog_client import CatalogClient
from services.common.config import load_settings
from services.common.deadlines import deadline
from services.common.errors import NotFound, Unavailable
from services.common.signed_proxy import SignedCalls
from services.common.signing import Signature
from tests.fixtures.callers import CALLER_SIGNING_KEY

SIGNATURE = Signature(CALLER_SIGNING_KEY)


class CatalogProxy:
    """Stands in for nameko's proxy: answers, or behaves as a slow, missing or unknowing catalog."""

    def __init__(self, behaviour=None):
        self.behaviour = behaviour
        self.callers = []

    def __getattr__(self, method):
        def call(caller, *args):
            self.callers.append(SIGNATURE.verified(caller))
            if self.behaviour == "slow":
                eventlet.sleep(5)
            if self.behaviour == "not running":
                raise UnknownService("catalog_context")
            if self.behaviour == "unknown":
                raise NotFound("No company 9 is known")
            return {"method": method, "args": list(args)}

        return call


def client(proxy, caller=CONVERSATIONS_SERVICE, timeout=0.1):
    return CatalogClient(SignedCalls("catalog", proxy, SIGNATURE, timeout), caller)


@pytest.mark.parametrize("caller", [CONVERSATIONS_SERVICE, NOTIFICATIONS_SERVICE])
def test_each_service_asks_as_itself_signed(caller):
    proxy = CatalogProxy()
    assert client(proxy, caller).get_vendor("9") == {"method": "get_vendor", "args": ["9"]}
    assert client(proxy, caller).resolve("product", "5") == {"method": "resolve", "args": ["product", "5"]}
    assert client(proxy, caller).list_vendors("A") == {"method": "list_vendors", "args": ["A"]}
    assert proxy.callers == [caller] * 3


@pytest.mark.parametrize("behaviour", ["slow", "not running"])
def test_a_catalog_that_is_away_is_unavailable(behaviour):
    with pytest.raises(Unavailable):
        client(CatalogProxy(behaviour)).get_vendor("9")


def test_what_the_catalog_does_not_know_is_its_own_answer():
    with pytest.raises(NotFound):
        client(CatalogProxy("unknown")).get_vendor("9")


def test_one_deadline_half_the_gateways():
    assert deadline(load_settings({"RPC_TIMEOUT": 10})) == 5
