"""The storefront's pushes into the catalog, and the context a thread page shows."""

from flask import request
from flask.views import MethodView

from services.common.access import ADMINISTRATION_ONLY, CATALOG_WRITERS_ONLY, may_search_vendors, may_write_catalog
from services.common.errors import Forbidden, ValidationFailed
from services.contracts import catalog as schemas

from ..auth import current_caller, signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint(
    "catalog",
    __name__,
    url_prefix="/v1",
    description="The storefront's products, orders and vendors, and the context of an object",
)


@blp.before_request
def only_the_storefront_writes():
    # Before the body is read: a caller who may not push learns nothing from a 422.
    # The catalog service checks it again: it trusts no caller but its own rule.
    if request.method in ("PUT", "DELETE") and not may_write_catalog(current_caller()):
        raise Forbidden(CATALOG_WRITERS_ONLY)
    # Before the query is read, as above.
    if (
        request.method == "GET"
        and request.endpoint == "catalog.search_vendors"
        and not may_search_vendors(current_caller())
    ):
        raise Forbidden(ADMINISTRATION_ONLY)


def with_path_id(body: dict, id_field: str, path_id: str) -> dict:
    """The path names the record; an id in the body, when there is one, must name the same."""
    path_id = schemas.load_id(path_id, id_field)
    if body.get(id_field, path_id) != path_id:
        raise ValidationFailed(
            "The record's id is not the one in the path", {id_field: [f"Must be {path_id!r}, as in the path."]}
        )
    return {**body, id_field: path_id}


@blp.route("/catalog/products/<product_id>")
class Product(MethodView):
    @blp.arguments(schemas.ProductPush(partial=("product_id",)))
    @blp.response(200, schemas.ProductOut)
    def put(self, body, product_id):
        """Keep the storefront's product (CS-Cart's REST fields)."""
        return rpc().catalog_context.upsert_product(signed(), with_path_id(body, "product_id", product_id))

    @blp.response(204)
    def delete(self, product_id):
        """Forget the product."""
        rpc().catalog_context.delete_product(signed(), product_id)


@blp.route("/catalog/orders/<order_id>")
class Order(MethodView):
    @blp.arguments(schemas.OrderPush(partial=("order_id",)))
    @blp.response(200, schemas.OrderOut)
    def put(self, body, order_id):
        """Keep the storefront's order (CS-Cart's REST fields; `products` keyed by item id or a list)."""
        return rpc().catalog_context.upsert_order(signed(), with_path_id(body, "order_id", order_id))

    @blp.response(204)
    def delete(self, order_id):
        """Forget the order."""
        rpc().catalog_context.delete_order(signed(), order_id)


@blp.route("/catalog/vendors", methods=["GET"])
@blp.arguments(schemas.VendorQuery, location="query")
@blp.response(200, schemas.VendorPage)
def search_vendors(query):
    """The vendors whose name holds `q` (any case), by name, page by page: the administration's
    picker. The catalog service checks the caller too."""
    return rpc().catalog_context.search_vendors(signed(), query)


@blp.route("/catalog/vendors/<company_id>")
class Vendor(MethodView):
    @blp.arguments(schemas.VendorPush(partial=("company_id",)))
    @blp.response(200, schemas.VendorOut)
    def put(self, body, company_id):
        """Keep the storefront's vendor (CS-Cart's REST fields)."""
        return rpc().catalog_context.upsert_vendor(signed(), with_path_id(body, "company_id", company_id))

    @blp.response(204)
    def delete(self, company_id):
        """Forget the vendor; its threads are soft-deleted."""
        rpc().catalog_context.delete_vendor(signed(), company_id)


@blp.route("/catalog/customers/<user_id>", methods=["DELETE"])
@blp.response(204)
def delete_customer(user_id):
    """The customer's account is gone; their threads are soft-deleted."""
    rpc().catalog_context.delete_customer(signed(), user_id)


# The route takes only the types there are: the document lists them, another is a 404.
@blp.route(f"/context/<any({', '.join(schemas.OBJECT_TYPES)}):object_type>/<object_id>")
@blp.response(200, schemas.Resolved)
def context(object_type, object_id):
    """What the thread page shows beside a dialogue: the object's context, its vendor, its age.
    An order's only to its customer, its vendor and the marketplace: the catalog service
    judges that (access.may_see_context) and answers the rest 404."""
    return rpc().catalog_context.resolve(signed(), object_type, object_id)
