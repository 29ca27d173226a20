"""The vendor's company address, asked of the catalog service over RPC.

It asks as the system (NOTIFICATIONS_SERVICE, signed with CALLER_SIGNING_KEY like any caller).
nameko's RpcProxy waits for an answer for ever; a catalog that is down must instead make the
event wait and be tried again later, so every call here has the RPC timeout.
"""
import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from services.common.caller import NOTIFICATIONS_SERVICE
from services.common.config import load_settings
from services.common.errors import NotFound, Unavailable
from services.common.events import CATALOG
from services.common.signing import Signature


class CatalogDirectory:
    def __init__(self, proxy, timeout: float, signature: Signature):
        self.proxy = proxy
        self.timeout = timeout
        self.signature = signature

    def vendor_email(self, company_id: str) -> str | None:
        """The company's address; None for a vendor the catalog does not know."""
        try:
            with eventlet.Timeout(self.timeout):
                vendor = self.proxy.get_vendor(self.signature.signed(NOTIFICATIONS_SERVICE), company_id)
        except NotFound:
            return None
        except (eventlet.Timeout, UnknownService) as error:
            raise Unavailable(f"The catalog did not answer for vendor {company_id}: {error!r}")
        return (vendor or {}).get("email")


class Catalog(RpcProxy):
    def __init__(self):
        super().__init__(CATALOG)

    def setup(self):
        super().setup()
        settings = load_settings(self.container.config)
        self.timeout = settings.RPC_TIMEOUT
        self.signature = Signature(settings.CALLER_SIGNING_KEY)

    def get_dependency(self, worker_ctx):
        return CatalogDirectory(super().get_dependency(worker_ctx), self.timeout, self.signature)
