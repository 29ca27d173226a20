"""Figures for the administration."""

from services.contracts import conversations as schemas

from ..auth import signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint("reports", __name__, url_prefix="/v1", description="Vendors' response figures")


@blp.route("/reports/response-times")
@blp.arguments(schemas.ResponseTimesQuery, location="query")
@blp.response(200, schemas.ResponseTimes)
def response_times(query):
    """Per vendor, over threads whose first customer message falls in [from, to): the median
    time to the vendor's first reply and the share answered within 24 hours (unanswered
    threads count as not answered)."""
    return rpc().conversations.response_times(signed(), query)
