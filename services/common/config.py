"""The one configuration loader: the contract's environment variables, with their defaults.

A nameko container's config (the YAML given to `nameko run`, or a test's dict) is read first,
then the process environment, then the default, so the same code serves a deployment, the
development run and the tests.

Each setting carries its row of the configuration reference: what it means, and its default in
words where the value alone does not say it. docs/configuration.md is written from them (`make
docs`, dev/configuration_page.py), so the page cannot drift from the code without
tests/deploy/test_configuration_page.py failing. The order of the fields is the page's.
"""

import dataclasses
import os
from dataclasses import dataclass, fields
from typing import Any, Mapping, TypeVar

DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"
DEVELOPMENT_CALLER_SIGNING_KEY = "development-only-caller-signing-key-change-me-0123456789"
DEVELOPMENT_REPLY_SIGNING_KEY = "development-only-reply-signing-key-change-me-0123456789"

T = TypeVar("T")


def documented(default: T, *, doc: str, default_doc: str = "", also: tuple[str, ...] = ()) -> T:
    """A setting's default with its row of the reference: `doc` is the meaning; `default_doc` the
    default in words (empty: the value itself, quoted); `also` the settings the same row names
    after this one, which are declared plainly just below it."""
    return dataclasses.field(default=default, metadata={"doc": doc, "default_doc": default_doc, "also": also})


@dataclass(frozen=True)
class Settings:
    AMQP_URI: str = documented("pyamqp://guest:guest@127.0.0.1:5672/", doc="RabbitMQ")
    MONGO_URI: str = documented(
        "mongodb://127.0.0.1:27017/",
        doc=(
            "MongoDB (any MongoDB-wire server, 6.0+). Unless the URI says otherwise, writes are acknowledged by a "
            "majority (`w=majority`), retried once across a failover (`retryWrites=true`), and reads go to the "
            "primary (`readPreference=primary`: a page shows what the post before it wrote); see "
            "`services/common/mongo.py`"
        ),
        default_doc=(
            "unset: `make run` starts the embedded development server (`retryWrites=false`); services default to "
            "`mongodb://127.0.0.1:27017/`"
        ),
    )
    MONGO_DB: str = documented("message_center", doc="database name")
    SMTP_HOST: str = documented(
        "127.0.0.1",
        doc="outgoing mail",
        default_doc="`127.0.0.1`, `1025` (unset host: `make run` starts the mail sink)",
        also=("SMTP_PORT",),
    )
    SMTP_PORT: int = 1025
    SMTP_TIMEOUT: float = documented(10.0, doc="seconds before an SMTP attempt gives up")
    MAILS_AT_ONCE: int = documented(
        8,
        doc=(
            "notification mails in flight at once, each on a sender of the notifications process's own (never one "
            "of its workers): a mail server that never answers holds these for its timeout, and nothing else"
        ),
    )
    MAIL_FROM: str = documented("Message Center <no-reply@localhost>", doc="sender address")
    ADMIN_EMAILS: str = documented("", doc="the administration's addresses, comma separated")
    WEBHOOK_ALLOW_PRIVATE: bool = documented(
        False,
        doc=(
            "`true` or `1`: webhooks may call loopback, private and link-local addresses, and plain `http://` to "
            "loopback (development and tests only)"
        ),
        default_doc="`false`: public addresses over `https://` only",
    )
    WEBHOOK_HOSTS: str = documented(
        "",
        doc=(
            "the only hosts a webhook URL may name, comma separated (an egress allow-list; any other host is "
            "refused at registration and at the call, before it is looked up)"
        ),
        default_doc="empty: any host whose addresses are allowed",
    )
    WEBHOOKS_MAX: int = documented(
        20,
        doc="webhook endpoints the marketplace keeps (each is called for every message); one more is a 422",
    )
    WEBHOOK_CALLS_AT_ONCE: int = documented(
        8,
        doc=(
            "webhook calls in flight at once, one per endpoint: a slow endpoint holds its own lane for the call's "
            "10 s timeout, never the others' nor the service's workers"
        ),
    )
    JWT_SECRET: str = documented(
        DEVELOPMENT_JWT_SECRET,
        doc=(
            "HS256 key the storefront and portals sign tokens with (each token needs `exp`; `iat`, `nbf` and `exp` "
            "get 60 s of leeway)"
        ),
        default_doc=(
            "a development key, which the gateway and push refuse to start on, as they refuse one under 32 bytes or "
            "a placeholder (`replace-me`, `change-me`), outside development mode"
        ),
    )
    JWT_ISSUER: str = documented(
        "",
        doc="when set, a token's `iss` and `aud` must be these",
        default_doc="empty: not checked (a token with an `aud` is refused)",
        also=("JWT_AUDIENCE",),
    )
    JWT_AUDIENCE: str = ""
    # A broker client without it cannot pass as anyone (services/common/signing.py).
    CALLER_SIGNING_KEY: str = documented(
        DEVELOPMENT_CALLER_SIGNING_KEY,
        doc=(
            "HMAC-SHA256 key the gateway signs the caller of every RPC with, and the services check it with (and "
            "sign their own calls to each other with): the same value for the gateway and the three services, never "
            "push nor the storefront (see [Who may do what](permissions.md))"
        ),
        default_doc=(
            "a development key, which the gateway and the services refuse to start on, as they refuse one under 32 "
            "bytes or a placeholder, outside development mode; `make run` makes a random one per run"
        ),
    )
    METRICS_TOKEN: str = documented(
        "",
        doc=(
            "the bearer token Prometheus sends for the gateway's and the inbound process's `GET /metrics` "
            "(`Authorization: Bearer <token>`, compared in constant time; a missing or wrong one is a 401)"
        ),
        default_doc="empty: `/metrics` answers 404",
    )
    DEVELOPMENT_MODE: bool = documented(
        False,
        doc=(
            "`true` or `1`: the gateway and push run on a weak `JWT_SECRET`, and the gateway and services on a weak "
            "`CALLER_SIGNING_KEY`, with a loud warning"
        ),
        default_doc="`false` (`make run` sets `true`)",
    )
    GATEWAY_PORT: int = documented(8080, doc="gateway HTTP port")
    GATEWAY_HOST: str = documented(
        "127.0.0.1",
        doc="address the gateway binds",
        default_doc="`127.0.0.1` (`0.0.0.0` in containers)",
    )
    # Tokens, not cookies, carry the identity, so no credentials are ever allowed cross-origin.
    CORS_ORIGINS: str = documented(
        "*",
        doc="origins whose pages may call `/v1` from a browser: `*` or a comma-separated list",
    )
    PUSH_PORT: int = documented(
        8081,
        doc="the push process's port (live updates, `/v1/events`; it binds `GATEWAY_HOST` too)",
    )
    PUSH_MAX_PAGES: int = documented(10000, doc="open pages one push process holds at most")
    # So that a leaked token cannot take the process.
    PUSH_MAX_PAGES_PER_USER: int = documented(
        10,
        doc="open pages (streams) one person (token `sub`) may hold in one push process; past it, `429`",
    )
    PUSH_MAX_PAGES_PER_ADDRESS: int = documented(
        100,
        doc=(
            "open pages from one address per push process; past it, `429`. Behind a proxy the address is the "
            "proxy's unless `PUSH_PROXY_HOPS` is set"
        ),
    )
    PUSH_PROXY_HOPS: int = documented(
        0,
        doc=(
            "how many proxies in front of push append the client's address to `X-Forwarded-For`. Set it only when "
            "push is reachable through them alone, or anyone can claim any address"
        ),
        default_doc="`0`: the header is ignored (`1` in compose and the ConfigMap)",
    )
    # A silent connection would otherwise hold a green thread forever.
    PUSH_HEAD_TIMEOUT: float = documented(
        10.0,
        doc="seconds a connection to push has to send its request head (also between requests on a kept-alive one)",
    )
    RPC_TIMEOUT: float = documented(10.0, doc="seconds the gateway (and a service calling another) waits for an answer")
    PORTAL_URL: str = documented(
        "http://127.0.0.1:8080/ui/demo",
        doc="where links in mails and context panels point",
        default_doc="the demo pages: `http://127.0.0.1:8080/ui/demo`, `http://127.0.0.1:8080/ui/demo/storefront`",
        also=("STOREFRONT_URL",),
    )
    STOREFRONT_URL: str = "http://127.0.0.1:8080/ui/demo/storefront"
    STOREFRONT_THREAD_URL: str = documented(
        "index.php?dispatch=vendor_communication.view&thread_id={thread_id}",
        doc=(
            "the page that opens a conversation, linked from every mail and bell item: a template with "
            "`{thread_id}` (and `{side}`: `vendor` or `admin`), under `STOREFRONT_URL` or `PORTAL_URL` unless it is "
            "a whole URL. The components open the thread named by the page's `?thread_id=`, `?thread=` or "
            "`#mc-thread=`"
        ),
        default_doc=(
            "CS-Cart's pages: `index.php?dispatch=vendor_communication.view&thread_id={thread_id}`, "
            "`{side}.php?dispatch=vendor_communication.view&thread_id={thread_id}` (`make run` and the test stack: "
            "the demo pages)"
        ),
        also=("PORTAL_THREAD_URL",),
    )
    PORTAL_THREAD_URL: str = "{side}.php?dispatch=vendor_communication.view&thread_id={thread_id}"
    # All three or none.
    CSCART_API_URL: str = documented(
        "",
        doc="pull unknown products, orders and vendors from CS-Cart's REST API",
        default_doc="unset: pushed records only",
        also=("CSCART_API_USER", "CSCART_API_KEY"),
    )
    CSCART_API_USER: str = ""
    CSCART_API_KEY: str = ""
    CSCART_CONNECT_TIMEOUT: float = documented(
        3.0,
        doc="seconds the pull client waits to connect and for an answer",
        also=("CSCART_READ_TIMEOUT",),
    )
    CSCART_READ_TIMEOUT: float = 10.0
    CATALOG_FRESH_SECONDS: float = documented(
        300.0,
        doc="a pulled record older than this is refreshed in the background",
    )
    # Read by services/catalog_context/money.py.
    CURRENCY: str = documented(
        "USD",
        doc=(
            "what prices beside a conversation are in: an ISO 4217 code (the reader's browser writes it), or "
            "CS-Cart's primary currency as the JSON of its `currencies` record (`currency_code`, `symbol`, `after` "
            "`Y`/`N`, `decimals`, `decimals_separator`, `thousands_separator`), written as the storefront writes "
            "it; a wrong one stops catalog_context as it starts"
        ),
    )
    METRICS_PORT: int = documented(
        0,
        doc=(
            "where each nameko service serves its Prometheus metrics (`message_center_entrypoint_calls_total` by "
            "service, entrypoint, kind and outcome `ok`/`refused`/`failed`, `message_center_entrypoint_seconds`; "
            "`services/common/service_metrics.py`; `message_center_database_commands_total` by command name, "
            "`services/common/mongo.py`); the gateway serves its own on `/metrics`"
        ),
        default_doc="`0`: not served (`9100` in compose and k8s)",
    )
    # The rate limits are counted in the database so that they hold across replicas.
    LIMIT_THREADS_PER_HOUR: int = documented(
        10,
        doc=(
            "conversations one customer may start an hour (0: no limit); over it, `429 rate_limited` with `Retry-After`"
        ),
    )
    LIMIT_MESSAGES_PER_MINUTE_CUSTOMER: int = documented(
        30,
        doc="messages one person may send a minute",
        also=("LIMIT_MESSAGES_PER_MINUTE_STAFF",),
    )
    LIMIT_MESSAGES_PER_MINUTE_STAFF: int = 120
    LIMIT_UNKNOWN_LOOKUPS_PER_MINUTE: int = documented(
        30,
        doc=(
            "unknown products, orders or vendors one person may ask about a minute (each may be pulled from "
            "CS-Cart; besides, what CS-Cart said it lacks is not asked again for a minute, and each catalog process "
            "pulls 8 at a time)"
        ),
    )
    SAVED_REPLIES_PER_OWNER: int = documented(
        100,
        doc=(
            "saved replies one vendor (or the administration) keeps, and the characters of each body; past either, "
            "a 422"
        ),
        also=("SAVED_REPLY_BODY_MAX",),
    )
    SAVED_REPLY_BODY_MAX: int = 5000
    REMIND_VENDOR_AFTER_HOURS: float = documented(
        24.0,
        doc=(
            "hours a customer's question may wait for the vendor's reply before the vendor is reminded, once per "
            "wait: a mail to its address and an item on its company's bell (`services/conversations/reminders.py`). "
            "Fractions are allowed"
        ),
    )
    ESCALATE_AFTER_HOURS: float = documented(
        48.0,
        doc=(
            "hours before the same question, still unanswered, rings the administration's bell and flags the thread "
            "`overdue` (the inbox's `overdue=true`, the response figures' `overdue`); the vendor's reply clears it"
        ),
    )
    INBOX_READER: str = documented(
        "plain",
        doc=(
            "how the conversations service reads a page of an inbox: `plain`, one indexed query a page (MongoDB "
            "stops its index walk at the page's limit), or `windowed`, windows of time walking back from the "
            "newest, for a server that reads every thread an index gives before it applies a limit "
            "(`services/conversations/mongo_inbox.py`)"
        ),
        default_doc=(
            "`plain` (`make run` with the embedded database, the test stack, the fault suite and the bench on it "
            "set `windowed`)"
        ),
    )
    # Attachments: services/common/attachment_files.py.
    ATTACHMENTS_PER_MESSAGE: int = documented(5, doc="files one message may carry")
    ATTACHMENT_MAX_BYTES: int = documented(
        10 * 1024 * 1024,
        doc="bytes one uploaded file may have; one more is a `413`",
        default_doc="`10485760` (10 MiB)",
    )
    # Every frame counts: decoding holds them all in memory, and each costs what a still of its
    # canvas does.
    ATTACHMENT_MAX_PIXELS: int = documented(
        40_000_000,
        doc=(
            "pixels an image may declare, every frame counted (frames × width × height); more is a `422`, before "
            "any is decoded"
        ),
    )
    ATTACHMENT_MAX_FRAMES: int = documented(
        100,
        doc="frames an animated GIF or WebP may have; more is a `422`, before any is decoded",
    )
    # Both counted by services/conversations/limits.py.
    UPLOADS_PER_MINUTE: int = documented(
        20,
        doc=(
            "files one person may upload a minute, through the API or in reply mails (0: no limit); past it, `429 "
            "rate_limited` with `Retry-After` (a mail: `451 4.7.1`)"
        ),
    )
    UPLOAD_QUOTA_MB: int = documented(
        200,
        doc=(
            "MiB of uploads no message carries yet one person may hold (0: no quota); past it, `413 quota_exceeded` "
            "(a mail's file: named in the note under the reply)"
        ),
    )
    UPLOAD_TTL_HOURS: float = documented(24.0, doc="hours an upload waits for a message to carry it, then is removed")
    ATTACHMENT_RETENTION_DAYS: float = documented(
        30.0,
        doc=(
            "days a soft-deleted thread's files are kept (the administration still sees the thread); `0`: removed "
            "at the next sweep (a minute)"
        ),
    )
    RETENTION_DAYS: float = documented(
        0.0,
        doc=(
            "days a closed or deleted conversation is kept after its last change, then removed whole with its "
            "messages, files, mails and bell items (docs/privacy.md)"
        ),
        default_doc="`0`: kept for ever",
    )
    ERASURE_KEEPS_TEXT: bool = documented(
        False,
        doc=(
            "`true`: an erased customer's messages keep their texts, with contact details and names masked, for "
            "marketplaces that must keep a record"
        ),
        default_doc="`false`: each text becomes a line saying it was removed at the customer's request",
    )
    ERASE_ON_CUSTOMER_DELETED: bool = documented(
        False,
        doc="`true`: the catalog's customer deletion erases the customer's data too, as `DELETE /v1/privacy/customers/{id}` does",
        default_doc="`false`: their threads are deleted (soft), their data kept",
    )
    UPLOAD_SPOOL_DIR: str = documented(
        "",
        doc=(
            "where the gateway keeps an upload being received and judged, beyond its first MiB (in Kubernetes a "
            "disk-backed `emptyDir`: the pods' `/tmp` is in memory)"
        ),
        default_doc="unset: the system's temporary directory",
    )
    # The links are signed because an <img> cannot send a token; the derived key is no new secret
    # to hand out, as the gateway and conversations hold CALLER_SIGNING_KEY already.
    ATTACHMENT_URL_KEY: str = documented(
        "",
        doc=(
            "HMAC key of attachments' 5-minute download links, the same for the gateway and conversations; refused "
            "when weak, as the other keys"
        ),
        default_doc="unset: derived from `CALLER_SIGNING_KEY` under a label of its own",
    )
    # Reply by mail: services/inbound_mail reads what notifications writes.
    REPLY_DOMAIN: str = documented(
        "",
        doc=(
            "the domain of the reply addresses notification mails carry as their `Reply-To`, "
            "`reply+<token>@REPLY_DOMAIN`; its MX record points at the inbound process (see [Reply by "
            "mail](reply-by-mail.md))"
        ),
        default_doc=(
            "empty: mails carry no reply address, as before, and the inbound process refuses every mail (`make run` "
            "in development: `reply.localhost`)"
        ),
    )
    REPLY_SIGNING_KEY: str = documented(
        DEVELOPMENT_REPLY_SIGNING_KEY,
        doc=(
            "HMAC-SHA256 key of the reply addresses' tokens: the same for notifications (which writes them) and the "
            "inbound process (which reads them); both refuse to start on a weak one while `REPLY_DOMAIN` is set, as "
            "on the other keys"
        ),
        default_doc=(
            "a development key, refused outside development mode (`make run` keeps a random one in "
            "`var/reply-signing.key`, so the mails in `var/mail` stay answerable)"
        ),
    )
    INBOUND_SMTP_PORT: int = documented(2525, doc="the inbound process's SMTP port (it binds `GATEWAY_HOST`)")
    INBOUND_HTTP_PORT: int = documented(
        8082,
        doc="the inbound process's HTTP port: `POST /v1/inbound-mail`, `/healthz`, `/readyz`, `/metrics`",
    )
    INBOUND_HTTP_SIGNING_KEY: str = documented(
        "",
        doc=(
            "HMAC-SHA256 key a mail provider signs the mails it forwards to `POST /v1/inbound-mail` with; refused "
            "when weak"
        ),
        default_doc="empty: the route answers 404",
    )
    INBOUND_MAX_BYTES: int = documented(
        25 * 1024 * 1024,
        doc=(
            "bytes one received mail may have, by either way; more is an SMTP 552 (announced in EHLO's `SIZE`) or "
            "an HTTP 413"
        ),
        default_doc="`26214400` (25 MiB)",
    )
    # So that no sender can hold the SMTP server: a time for the whole mail, and sessions per peer.
    INBOUND_DATA_SECONDS: float = documented(
        60.0,
        doc=(
            "seconds an SMTP mail has from `DATA` to its final dot, in all; past them, `421` and the connection is "
            "closed"
        ),
    )
    INBOUND_SESSIONS_PER_PEER: int = documented(
        2,
        doc=(
            "SMTP sessions one address (an IPv6 /64) may hold at once; one more is a `421`. An MTA in front that "
            "relays every mail is one address: raise it there"
        ),
    )
    INBOUND_TRUSTED_AUTHSERV_ID: str = documented(
        "",
        doc=(
            "the `authserv-id` of the checking mail server in front of the inbound process: when set, a mail is "
            "taken only with that server's `Authentication-Results` saying `dkim=pass` or `spf=pass` for the domain "
            "of its `From` (else `550 5.7.1` / 403)"
        ),
        default_doc="empty: not required",
    )
    # Read by services/notifications/replies.py.
    REPLY_ADDRESS_DAYS: float = documented(
        90.0,
        doc=(
            "days a reply address answers after its conversation's last message; then `550 5.1.6` / 410, saying to "
            "answer on the web"
        ),
    )
    # Liveness without the broker: a wedged event loop stops touching it.
    LIVENESS_FILE: str = documented(
        "/tmp/message-center-alive",
        doc=(
            "the file a nameko service touches every 5 s while its event loop turns; `python -m "
            "services.common.probe --alive` (the Kubernetes liveness probe) reads its age"
        ),
    )


@dataclass(frozen=True)
class Documented:
    """A row of the reference for variables a process reads from the environment itself, before
    Settings loads, so that they are no fields of it."""

    names: tuple[str, ...]
    doc: str
    default_doc: str
    # The setting whose row this one follows on the page.
    after: str


# gunicorn's configuration (gateway/gunicorn_conf.py) reads its workers before the app exists,
# and each process sets up its log before it loads the settings.
READ_BEFORE_SETTINGS = (
    Documented(
        ("GATEWAY_WORKERS", "GATEWAY_THREADS"),
        doc="gunicorn processes and threads each",
        default_doc="`2`, `8`",
        after="GATEWAY_HOST",
    ),
    Documented(("LOG_LEVEL",), doc="services' log level", default_doc="`INFO`", after="CURRENCY"),
    Documented(
        ("LOG_FORMAT",),
        doc=(
            "`plain` lines for people, or `json`: one object a line (`time`, `level`, `logger`, `message`, "
            "`correlation_id`) for a log pipeline; every process, gunicorn's access lines included. A request's "
            "correlation id is the client's `X-Request-ID` (or a new one), given back in the answer, carried with its "
            "RPCs and events, and shown on the lines of the work done for it (`services/common/correlation.py`)"
        ),
        default_doc="`plain` (`json` in k8s)",
        after="METRICS_PORT",
    ),
)


def load_settings(config: Mapping[str, Any] | None = None, environ: Mapping[str, Any] | None = None) -> Settings:
    config = config or {}
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in fields(Settings):
        raw = config.get(field.name)
        if raw in (None, ""):
            raw = environ.get(field.name)
        if raw in (None, ""):
            continue
        if field.type is bool:
            values[field.name] = str(raw).strip().lower() in ("1", "true")
        else:
            values[field.name] = field.type(raw) if field.type in (int, float) else str(raw)
    return Settings(**values)
