"""The administration's figures: how soon each vendor answers its customers."""

import statistics
from datetime import timedelta

from services.common import access
from services.common.caller import Caller
from services.common.errors import Forbidden


def response_times(store, caller: Caller, query: dict) -> dict:
    if not access.may_see_reports(caller):
        raise Forbidden("Response figures are for the administration (permission view_reports).")
    per_vendor: dict[str, list] = {}
    for thread in store.first_replies(query["date_from"], query["date_to"], query.get("company_id")):
        per_vendor.setdefault(thread["company_id"], []).append(thread)
    day = timedelta(hours=24).total_seconds()
    vendors = []
    for company_id, threads in sorted(per_vendor.items()):
        waits = [
            (t["first_reply_at"] - t["first_customer_message_at"]).total_seconds()
            for t in threads
            if t.get("first_reply_at")
        ]
        vendors.append(
            {
                "company_id": company_id,
                "threads": len(threads),
                "answered": len(waits),
                "median_first_reply_seconds": statistics.median(waits) if waits else None,
                "answered_within_24h_share": sum(wait <= day for wait in waits) / len(threads),
                # Escalated and still unanswered (reminders.py): a reply clears the flag.
                "overdue": sum(bool(t.get("overdue")) for t in threads),
            }
        )
    # The contract names the window `from` and `to` on the wire (contract.ResponseTimes).
    return {"date_from": query["date_from"], "date_to": query["date_to"], "vendors": vendors}
