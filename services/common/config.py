"""The one configuration loader: the contract's environment variables, with their defaults.

A nameko container's config (the YAML given to `nameko run`, or a test's dict) is read first,
then the process environment, then the default, so the same code serves a deployment, the
development run and the tests.
"""

import os
from dataclasses import dataclass, fields
from typing import Any, Mapping

DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"
DEVELOPMENT_CALLER_SIGNING_KEY = "development-only-caller-signing-key-change-me-0123456789"
DEVELOPMENT_REPLY_SIGNING_KEY = "development-only-reply-signing-key-change-me-0123456789"


@dataclass(frozen=True)
class Settings:
    AMQP_URI: str = "pyamqp://guest:guest@127.0.0.1:5672/"
    MONGO_URI: str = "mongodb://127.0.0.1:27017/"
    MONGO_DB: str = "message_center"
    SMTP_HOST: str = "127.0.0.1"
    SMTP_PORT: int = 1025
    SMTP_TIMEOUT: float = 10.0
    MAIL_FROM: str = "Message Center <no-reply@localhost>"
    JWT_SECRET: str = DEVELOPMENT_JWT_SECRET
    # When set, a token must name this issuer (iss) and this audience (aud).
    JWT_ISSUER: str = ""
    JWT_AUDIENCE: str = ""
    # The gateway signs the caller it hands a service with it, and the services sign their own
    # calls to each other: a broker client without it cannot pass as anyone (services/common/signing.py).
    CALLER_SIGNING_KEY: str = DEVELOPMENT_CALLER_SIGNING_KEY
    # Lets the processes run on a weak or built-in JWT_SECRET and CALLER_SIGNING_KEY; `make run` sets it.
    DEVELOPMENT_MODE: bool = False
    # The bearer token Prometheus sends for GET /metrics; empty: /metrics is not served.
    METRICS_TOKEN: str = ""
    # A nameko service's Prometheus metrics (services/common/service_metrics.py): 0 serves none.
    METRICS_PORT: int = 0
    GATEWAY_PORT: int = 8080
    # Loopback by default; a container binds every interface (the image sets 0.0.0.0).
    GATEWAY_HOST: str = "127.0.0.1"
    # Pages on these origins may call the API from the browser ("*": any; tokens, not
    # cookies, carry the identity, so no credentials are ever allowed cross-origin).
    CORS_ORIGINS: str = "*"
    # The push process: server-sent events for open pages, and how many it holds at once.
    PUSH_PORT: int = 8081
    PUSH_MAX_PAGES: int = 10000
    # One person's open pages at most (tabs, devices): a leaked token cannot take the process.
    PUSH_MAX_PAGES_PER_USER: int = 10
    # Open pages from one address at most; behind a proxy, the proxy's unless PUSH_PROXY_HOPS is set.
    PUSH_MAX_PAGES_PER_ADDRESS: int = 100
    # Proxies in front of push that append to X-Forwarded-For (0: the header is anyone's to forge, so ignored).
    PUSH_PROXY_HOPS: int = 0
    # Seconds a connection has to send its request head: a silent one would hold a green thread forever.
    PUSH_HEAD_TIMEOUT: float = 10.0
    # Links in mails and in the context panel point at the portals and the storefront.
    PORTAL_URL: str = "http://127.0.0.1:8080/ui/demo"
    STOREFRONT_URL: str = "http://127.0.0.1:8080/ui/demo/storefront"
    # The currency prices are written in beside a conversation: an ISO 4217 code, or CS-Cart's
    # primary currency as JSON (symbol, decimals, separators: services/catalog_context/money.py).
    CURRENCY: str = "USD"
    # Where a conversation opens, the link in every mail and bell item: a template with
    # {thread_id} (and {side}: vendor or admin), under STOREFRONT_URL / PORTAL_URL unless it is
    # a whole URL. The defaults are CS-Cart's pages (index.php, vendor.php, admin.php); `make
    # run` and the test stack point them at the demo pages.
    STOREFRONT_THREAD_URL: str = "index.php?dispatch=vendor_communication.view&thread_id={thread_id}"
    PORTAL_THREAD_URL: str = "{side}.php?dispatch=vendor_communication.view&thread_id={thread_id}"
    # How long the gateway (and a service calling another) waits for an RPC answer.
    RPC_TIMEOUT: float = 10.0
    # CS-Cart's REST API, for records the storefront has not pushed (all three or none).
    CSCART_API_URL: str = ""
    CSCART_API_USER: str = ""
    CSCART_API_KEY: str = ""
    CSCART_CONNECT_TIMEOUT: float = 3.0
    CSCART_READ_TIMEOUT: float = 10.0
    # A pulled record older than this is refreshed in the background.
    CATALOG_FRESH_SECONDS: float = 300.0
    # Saved replies: how many one vendor (or the administration) keeps, and how long each may be.
    SAVED_REPLIES_PER_OWNER: int = 100
    SAVED_REPLY_BODY_MAX: int = 5000
    # Addresses that receive the administration's mail, comma separated.
    ADMIN_EMAILS: str = ""
    # Webhooks may call this machine and private networks (development, tests), never in production.
    WEBHOOK_ALLOW_PRIVATE: bool = False
    # The only host names (or addresses) webhooks may name, comma separated: an egress
    # allow-list, checked before any DNS lookup. Empty: any host with an allowed address.
    WEBHOOK_HOSTS: str = ""
    # How many webhook endpoints the marketplace keeps (each is called for every message), and
    # how many calls are in flight at once (a slow endpoint holds one of them, never a worker
    # the service's other work needs).
    WEBHOOKS_MAX: int = 20
    WEBHOOK_CALLS_AT_ONCE: int = 8
    # Notification mails in flight at once, sent by senders of the notifications process's own
    # (never its workers): a mail server that never answers holds these, and nothing else.
    MAILS_AT_ONCE: int = 8
    # Rate limits per person, counted in the database so they hold across replicas (0: none):
    # conversations a customer starts an hour, messages a minute, unknown objects asked about.
    LIMIT_THREADS_PER_HOUR: int = 10
    LIMIT_MESSAGES_PER_MINUTE_CUSTOMER: int = 30
    LIMIT_MESSAGES_PER_MINUTE_STAFF: int = 120
    LIMIT_UNKNOWN_LOOKUPS_PER_MINUTE: int = 30
    # How the conversations service reads a page of an inbox: `plain`, one indexed query (MongoDB
    # stops its index walk at the page's limit), or `windowed`, windows of time walking back from
    # the newest, for a server that reads every thread an index gives before it applies a limit
    # (the embedded development database: `make run`, the test stack and the bench set it).
    INBOX_READER: str = "plain"
    # A customer's question unanswered this long reminds the vendor once (mail and bell); this
    # long, the administration's bell rings and the thread is flagged overdue (reminders.py).
    REMIND_VENDOR_AFTER_HOURS: float = 24.0
    ESCALATE_AFTER_HOURS: float = 48.0
    # Attachments (services/common/attachment_files.py): files a message may carry, bytes a file
    # may have, pixels an image may declare, every frame of an animation counted (decoding holds
    # them all in memory, and each frame costs what a still of its canvas does), frames an
    # animation may have, hours an upload waits for a message, days a soft-deleted thread's
    # files are kept (0: deleted at once).
    ATTACHMENTS_PER_MESSAGE: int = 5
    ATTACHMENT_MAX_BYTES: int = 10 * 1024 * 1024
    ATTACHMENT_MAX_PIXELS: int = 40_000_000
    ATTACHMENT_MAX_FRAMES: int = 100
    UPLOAD_TTL_HOURS: float = 24.0
    # Files one person may upload a minute (by the API and by mail; 0: no limit), and MiB of
    # their uploads no message carries yet they may hold (0: no quota): services/conversations/limits.py.
    UPLOADS_PER_MINUTE: int = 20
    UPLOAD_QUOTA_MB: int = 200
    # Where an upload waits on local disk to be judged (above 1 MiB): the system's temporary
    # directory when empty. In Kubernetes a disk-backed emptyDir, not the memory-backed /tmp.
    UPLOAD_SPOOL_DIR: str = ""
    ATTACHMENT_RETENTION_DAYS: float = 30.0
    # Signs the 5-minute download links of attachments (an <img> cannot send a token). Empty: a
    # key derived from CALLER_SIGNING_KEY, which the gateway and conversations hold already.
    ATTACHMENT_URL_KEY: str = ""
    # Reply by mail (services/inbound_mail): each notification mail's Reply-To is
    # reply+<token>@REPLY_DOMAIN, the token signed with REPLY_SIGNING_KEY (by notifications, which
    # writes it, and checked by inbound_mail and notifications). Empty domain: no Reply-To, as before.
    REPLY_DOMAIN: str = ""
    REPLY_SIGNING_KEY: str = DEVELOPMENT_REPLY_SIGNING_KEY
    # The inbound process: SMTP for the reply domain's MX, HTTP for providers that forward mail
    # (POST /v1/inbound-mail, signed with INBOUND_HTTP_SIGNING_KEY; empty: not served), and a
    # mail's size at most, either way.
    INBOUND_SMTP_PORT: int = 2525
    INBOUND_HTTP_PORT: int = 8082
    INBOUND_HTTP_SIGNING_KEY: str = ""
    INBOUND_MAX_BYTES: int = 25 * 1024 * 1024
    # SMTP that no sender can hold: seconds from DATA to the final dot, and sessions at once from
    # one address (an MTA in front that relays every mail needs more: it is one address).
    INBOUND_DATA_SECONDS: float = 60.0
    INBOUND_SESSIONS_PER_PEER: int = 2
    # The checking mail server in front (its authserv-id): when set, a mail is taken only with
    # its Authentication-Results saying DKIM or SPF pass for the sender's domain.
    INBOUND_TRUSTED_AUTHSERV_ID: str = ""
    # Days a reply address answers after its thread's last message (notifications/replies.py).
    REPLY_ADDRESS_DAYS: float = 90.0
    # Each nameko service touches it while its event loop turns: liveness without the broker.
    LIVENESS_FILE: str = "/tmp/message-center-alive"


def load_settings(config: Mapping | None = None, environ: Mapping | None = None) -> Settings:
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
