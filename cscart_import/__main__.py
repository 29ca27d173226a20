"""`python -m cscart_import mysql://USER:PASSWORD@HOST:PORT/DATABASE [--prefix cscart_] [--dry-run]`
(`make import-cscart`): CS-Cart's Message Center history into the running system, through its
own services: the catalog's upserts for the vendors, products and orders the threads name, and
the conversations service's `import_history` for the threads and messages, a batch at a time.

Exit 0 when everything came over (rows that name what no longer exists come over marked, as
CS-Cart shows them); 1 when a row was skipped for an error (the summary says which and why);
2 when the run could not start or stopped (one line says why).
"""

import argparse
import os
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from services.contracts.conversations import IMPORT_BATCH_MAX

from . import convert
from .source import Source, SourceError

# nameko's eventlet says it is deprecated as it loads: not the operator's concern.
warnings.filterwarnings("ignore", category=DeprecationWarning)

THREADS_PER_PAGE = 500
MESSAGES_PER_BATCH = 1_000  # what one call carries, and about what the command holds at once
# Upserts in flight at once: about the catalog's workers (nameko's max_workers, 10), so the
# live system's own calls still find one free.
CATALOG_CALLS_AT_ONCE = 8
SHOWN_SKIPS = 10  # rows listed per reason in the summary
KEPT_SIGNING_KEY = Path(__file__).resolve().parent.parent / "var" / "caller-signing.key"


class SystemError_(Exception):
    """The running system cannot be reached or refused the import: one line."""


class System:
    """The running system's services, over the broker, as the import command's system caller."""

    def __init__(self, settings):
        from nameko.standalone.rpc import ClusterRpcProxy

        from services.common.caller import Caller
        from services.common.signing import Signature
        from services.contracts.conversations import IMPORTER

        self.caller = Caller(user_id=IMPORTER, role="system")
        self.signature = Signature(settings.CALLER_SIGNING_KEY)
        # History is written in batches the size of MESSAGES_PER_BATCH: a minute is far more than one takes.
        self.proxy = ClusterRpcProxy({"AMQP_URI": settings.AMQP_URI}, timeout=120)
        try:
            self.rpc = self.proxy.start()
        except Exception as error:
            raise SystemError_(f"cannot reach the broker at {_safe(settings.AMQP_URI)}: {error}")

    def call(self, service: str, method: str, *args, signed: bool = True):
        caller = (self.signature.signed(self.caller),) if signed else ()
        return self.answer(service, method, lambda: getattr(getattr(self.rpc, service), method)(*caller, *args))

    def call_many(self, service: str, method: str, calls: list[tuple]) -> list:
        """The same method for many arguments at once (the service's workers take them side by
        side), each answer awaited."""
        pending = [
            getattr(getattr(self.rpc, service), method).call_async(self.signature.signed(self.caller), *args)
            for args in calls
        ]
        return [self.answer(service, method, reply.result) for reply in pending]

    @staticmethod
    def answer(service: str, method: str, get):
        from nameko.exceptions import RemoteError, RpcTimeout, UnknownService

        try:
            return get()
        except UnknownService:
            raise SystemError_(f"the {service} service is not running (start the system with `make run`)")
        except RpcTimeout:
            raise SystemError_(f"the {service} service did not answer {method} in time")
        except RemoteError as error:
            raise SystemError_(f"the {service} service refused {method}: {error.exc_type}: {error.value}")

    def close(self):
        self.proxy.stop()


def _safe(uri: str) -> str:
    return re.sub(r"//[^@/]*@", "//", uri)  # no password in a line on the screen


class Run:
    """One import: pages of threads, batches of messages, the catalog records they name."""

    def __init__(
        self, source: Source, system: System | None, lang_code: str, progress, batch: int = MESSAGES_PER_BATCH
    ):
        self.source, self.system, self.lang_code, self.progress = source, system, lang_code, progress
        self.batch_size = batch
        self.sent: set = set()  # catalog records upserted in this run
        self.totals = Counter()
        # Skipped rows by (table, reason, error): how many, and the first few ids (a store of
        # a million broken rows must not fill the memory with them).
        self.skipped: dict[tuple, list] = {}
        self.people: set = set()
        self.spent = Counter()  # seconds: reading CS-Cart, the catalog's upserts, the conversations' import

    def all(self) -> None:
        last_thread = 0
        while True:
            threads = self.source.threads_after(last_thread, THREADS_PER_PAGE)
            if not threads:
                break
            last_thread = threads[-1]["thread_id"]
            self.page(threads)
        count, ids = self.source.orphan_messages(SHOWN_SKIPS)
        if count:
            self.totals["orphan_messages"] = count
            for message_id in ids:
                self.skip(convert.Skipped("vendor_communication_messages", message_id, "its thread is missing"))
            self.skipped[("vendor_communication_messages", "its thread is missing", True)][0] = count

    def page(self, threads: list[dict]) -> None:
        by_id = {row["thread_id"]: row for row in threads}
        seen = set()
        after = (0, 0)
        while True:
            rows = self.source.messages_after(list(by_id), after, self.batch_size)
            if not rows:
                break
            after = (rows[-1]["thread_id"], rows[-1]["message_id"])
            grouped: dict[int, list[dict]] = {}
            for row in rows:
                grouped.setdefault(row["thread_id"], []).append(row)
            seen.update(grouped)
            self.batch([by_id[thread_id] for thread_id in grouped], grouped)
            self.progress.update(len(rows))
        for thread_id in by_id.keys() - seen:
            self.skip(convert.Skipped("vendor_communications", thread_id, "has no messages", error=False))

    def skip(self, row: convert.Skipped) -> None:
        counted = self.skipped.setdefault((row.table, row.reason, row.error), [0, []])
        counted[0] += 1
        if len(counted[1]) < SHOWN_SKIPS:
            counted[1].append(row.row_id)

    @property
    def failed(self) -> bool:
        """A row was skipped for an error (not for what CS-Cart itself shows as missing)."""
        return any(error for _, _, error in self.skipped)

    def batch(self, threads: list[dict], messages: dict) -> None:
        users = self.source.users(
            {t["user_id"] for t in threads} | {m["user_id"] for ms in messages.values() for m in ms}
        )
        companies = self.source.companies({t["company_id"] for t in threads})
        known = self.catalog(threads, companies)
        items = []
        for thread in threads:
            item, skipped = convert.import_thread(thread, messages[thread["thread_id"]], users, companies, known)
            for row in skipped:
                self.skip(row)
            if item is None or not item["messages"]:  # its messages here were skipped, and said so
                continue
            items.append(item)
            self.people.add(("vendor", item["company_id"]))
            if item["customer"]:
                self.people.add(("customer", item["customer"]["id"]))
        self.totals["messages_read"] += sum(len(item["messages"]) for item in items)
        if self.system is None or not items:
            self.totals["threads_read"] += len(items)
            return
        started = time.perf_counter()
        answer = self.system.call("conversations", "import_history", {"threads": items})
        self.spent["conversations"] += time.perf_counter() - started
        self.totals["threads_read"] += len(items)
        for name in ("threads_created", "threads_updated", "messages", "messages_cut"):
            self.totals[name] += answer[name]

    def catalog(self, threads: list[dict], companies: dict) -> set:
        """Upsert the vendors, products and orders these threads name, once a run; the
        (type, id) of every object that exists in CS-Cart."""
        wanted = {"product": set(), "order": set(), "company": set()}
        for thread in threads:
            about, _ = convert.target(thread)
            if about["type"] != "none":
                wanted[about["type"]].add(int(about["id"]))
        products = self.source.products(wanted["product"], self.lang_code)
        orders = self.source.orders(wanted["order"])
        companies = {**companies, **self.source.companies(wanted["company"] - companies.keys())}
        known = (
            {("product", str(i)) for i in products}
            | {("order", str(i)) for i in orders}
            | {("company", str(i)) for i in companies}
        )
        for kind, records, make in (
            ("vendor", companies, convert.vendor_record),
            ("product", products, convert.product_record),
            ("order", orders, convert.order_record),
        ):
            fresh = [(record_id, row) for record_id, row in records.items() if (kind, record_id) not in self.sent]
            self.sent.update((kind, record_id) for record_id, _ in fresh)
            self.totals[f"catalog_{kind}s"] += len(fresh)
            if self.system is not None and fresh:
                started = time.perf_counter()
                for start in range(0, len(fresh), CATALOG_CALLS_AT_ONCE):
                    self.system.call_many(
                        "catalog_context",
                        f"upsert_{kind}",
                        [(make(row),) for _, row in fresh[start : start + CATALOG_CALLS_AT_ONCE]],
                    )
                self.spent["catalog"] += time.perf_counter() - started
        return known


def summary(run: Run, dry_run: bool, seconds: float) -> str:
    totals = run.totals
    rate = totals["messages_read"] / seconds if seconds else 0
    lines = [
        ("Dry run (nothing written): " if dry_run else "Imported: ")
        + f"{totals['threads_read']} threads and {totals['messages_read']} messages read "
        f"in {seconds:.1f} s ({rate:.0f} messages/s)"
    ]
    if not dry_run:
        lines.append(
            f"  threads: {totals['threads_created']} new, {totals['threads_updated']} moved on; "
            f"messages: {totals['messages']} new (the rest were here already)"
            + (f", {totals['messages_cut']} cut to 10,000 characters" if totals["messages_cut"] else "")
        )
    people = Counter(kind for kind, _ in run.people)
    lines.append(
        f"  people: {people['customer']} customers, {people['vendor']} vendors; catalog: "
        f"{totals['catalog_vendors']} vendors, {totals['catalog_products']} products, "
        f"{totals['catalog_orders']} orders"
    )
    if not dry_run:
        lines.append(
            f"  time: {run.spent['catalog']:.1f} s in the catalog's upserts, "
            f"{run.spent['conversations']:.1f} s in the conversations' import, the rest reading CS-Cart"
        )
    for (table, reason, error), (count, ids) in sorted(run.skipped.items()):
        shown = ", ".join(str(row_id) for row_id in ids)
        lines.append(
            f"  skipped{' (error)' if error else ''}: {count} {table} rows: {reason} "
            f"(ids {shown}{', …' if count > len(ids) else ''})"
        )
    return "\n".join(lines)


def settings():
    """The system's settings as `make run` gives them to its processes: its caller signing key
    is kept in var/ when the shell sets none (dev/run.py)."""
    from services.common.config import load_settings

    environ = dict(os.environ)
    kept = KEPT_SIGNING_KEY
    if not environ.get("CALLER_SIGNING_KEY") and kept.exists():
        environ["CALLER_SIGNING_KEY"] = kept.read_text().strip()
    return load_settings(environ=environ)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="cscart_import", description=__doc__.splitlines()[0])
    # From the environment by default: a password on the command line shows in `ps`.
    parser.add_argument(
        "database",
        nargs="?",
        default=os.environ.get("CSCART_DB"),
        help="mysql://USER:PASSWORD@HOST:PORT/DATABASE (default: $CSCART_DB)",
    )
    parser.add_argument("--prefix", default=os.environ.get("CSCART_TABLE_PREFIX") or "cscart_")
    parser.add_argument("--lang", default="en", help="the language of product names (CS-Cart's lang_code)")
    parser.add_argument("--dry-run", action="store_true", help="read and report; write nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--batch", type=int, default=MESSAGES_PER_BATCH, help=f"messages a call carries (1 to {IMPORT_BATCH_MAX})"
    )
    args = parser.parse_args(argv)
    if not args.database:
        print(
            "cscart_import: name CS-Cart's database: CSCART_DB=mysql://USER:PASSWORD@HOST:PORT/DATABASE",
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.batch <= IMPORT_BATCH_MAX:
        print(f"cscart_import: --batch is 1 to {IMPORT_BATCH_MAX}", file=sys.stderr)
        return 2
    if not re.fullmatch(r"[A-Za-z0-9_]*", args.prefix) or not re.fullmatch(r"[a-z]{2}", args.lang):
        print("cscart_import: the table prefix is letters, digits and _; the language two letters", file=sys.stderr)
        return 2
    source = system = None
    started = time.monotonic()
    try:
        source = Source(args.database, args.prefix)
        if not args.dry_run:
            system = System(settings())
            system.call("conversations", "health", signed=False)
        total = source.count()["messages"]
        with tqdm(total=total, unit="msg", disable=args.quiet, dynamic_ncols=True) as progress:
            run = Run(source, system, args.lang, progress, args.batch)
            run.all()
    except (SourceError, SystemError_) as error:
        print(f"cscart_import: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cscart_import: stopped; run it again to finish (what came over stays, nothing twice)", file=sys.stderr)
        return 2
    finally:
        if system is not None:
            system.close()
        if source is not None:
            source.close()
    print(summary(run, args.dry_run, time.monotonic() - started))
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
