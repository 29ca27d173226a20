"""`make run`: the whole system on this machine, from nothing.

With MONGO_URI unset it starts the embedded development database (data under ./var/db); with
SMTP_HOST unset, a mail sink that keeps each mail under ./var/mail. Then every Procfile
process under the supervisor (dev/supervisor.py), which restarts one that exits. In development
(embedded database) it loads the demo marketplace and prints tokens and curl commands. Every
setting in the contract is honoured, so the same command runs against a real deployment's
database, broker and mail server. Ctrl-C or SIGTERM stops everything; nothing outlives it, even killed with SIGKILL (dev/parent.py).
"""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time

import requests

from services.common.config import load_settings

from . import demo, embedded_mongo, seed
from .parent import end_with_parent, ended_with_this_one
from .ports import free_port, wait_for_port
from .procfile import ROOT
from .supervisor import Supervisor

VAR = ROOT / "var"


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def main() -> None:
    # Until the supervisor takes the signals over, SIGTERM stops the helpers as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # `make` killed with SIGKILL: this one is told, and stops what it started (as its children
    # are told should this one be killed so).
    end_with_parent()
    settings = load_settings()
    env = dict(os.environ)
    # nameko 2.14 and eventlet announce their own deprecations at every start: noise here.
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning,ignore::UserWarning")
    # `make run` is development: the gateway and push accept a weak JWT_SECRET, and warn
    # (DEVELOPMENT_MODE=false in the shell makes them refuse it, as a deployment does).
    env.setdefault("DEVELOPMENT_MODE", "true")
    # The key the gateway signs callers with and the services check them with, unless the shell
    # sets one: random, kept in var/ (owner only) so that `make import-cscart`, run beside,
    # signs its calls with it too (cscart_import/__main__.py).
    if not env.get("CALLER_SIGNING_KEY"):
        env["CALLER_SIGNING_KEY"] = kept_key(VAR / "caller-signing.key")
    helpers = []
    development = not os.environ.get("MONGO_URI")
    if development:
        # The demo's mails are answered by replying to them (the inbound process, dev/reply.py):
        # their reply addresses outlive a restart, as the mails in ./var/mail do, so the key is
        # kept beside them.
        env.setdefault("REPLY_DOMAIN", "reply.localhost")
        if not env.get("REPLY_SIGNING_KEY"):
            env["REPLY_SIGNING_KEY"] = kept_key(VAR / "reply-signing.key")
    try:
        if development:
            port = 27017 if port_is_free(27017) else free_port()
            database, uri = embedded_mongo.start(VAR / "db", port, log_path=VAR / "db.log")
            helpers.append(database)
            env["MONGO_URI"] = uri
            # It cannot stop an index walk at a page's limit: the inbox is read in windows of time.
            env.setdefault("INBOX_READER", "windowed")
            print(f"embedded development database (SecantusDB) at {uri}, data in {VAR / 'db'}", flush=True)
        if not os.environ.get("SMTP_HOST"):
            env["SMTP_HOST"], env["SMTP_PORT"] = "127.0.0.1", str(settings.SMTP_PORT)
            sink = subprocess.Popen(
                [sys.executable, "-m", "dev.mail_sink", "--port", env["SMTP_PORT"], "--dir", str(VAR / "mail")],
                cwd=ROOT,
                env=env,
                preexec_fn=ended_with_this_one(),
            )
            helpers.append(sink)
            wait_for_port(settings.SMTP_PORT, process=sink)
        if development:
            env["DEMO"] = "1"  # the demo pages are served only beside the demo data
            # and the links in mails and bell items open them
            for name, value in demo.thread_links(f"http://127.0.0.1:{settings.GATEWAY_PORT}").items():
                env.setdefault(name, value)
        supervisor = Supervisor(env)
        base_url = f"http://127.0.0.1:{settings.GATEWAY_PORT}"
        threading.Thread(
            target=welcome, args=(base_url, settings.JWT_SECRET, development, supervisor.stopping), daemon=True
        ).start()
        supervisor.run()
    except KeyboardInterrupt:
        pass
    finally:
        for process in reversed(helpers):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def kept_key(path) -> str:
    """A random key made once and kept in `path` (readable by its owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def welcome(base_url: str, secret: str, development: bool, stopping: threading.Event) -> None:
    if wait_until_ready(base_url, stopping) and development:
        introduce(base_url, secret)


def wait_until_ready(base_url: str, stopping: threading.Event, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base_url}/readyz", params={"services": "all"}, timeout=3).status_code == 200:
                return True
        except requests.RequestException:
            pass
        if stopping.wait(0.5):
            return False
    print("the system did not become ready; see the logs above", flush=True)
    return False


def introduce(base_url: str, secret: str) -> None:
    tokens = seed.seed(base_url, secret)
    lines = [
        "",
        "Message Center is running at " + base_url,
        "  API docs:  " + base_url + "/docs",
        "  Demo pages: " + base_url + "/ui/demo/storefront  /ui/demo/vendor  /ui/demo/admin",
        "  Mail sink: " + str(VAR / "mail") + '  (answer a mail by replying: python -m dev.reply <mail> "text")',
        "",
        "Tokens (demo data: vendors 1 and 2, products 101 102 201, order 5001):",
    ]
    for person, token in tokens.items():
        lines.append(f"  {person}: {token}")
    customer, vendor = tokens["customer"], tokens["vendor 1 (Lumen Lamps)"]
    lines += [
        "",
        "Try it:",
        f"  export CUSTOMER={customer}",
        f"  export VENDOR={vendor}",
        f"  export ADMIN={tokens['admin']}",
        f"  export SYSTEM={tokens['system']}",
        f'  curl -s -X POST {base_url}/v1/threads -H "Authorization: Bearer $CUSTOMER" '
        "-H 'Content-Type: application/json' "
        '-d \'{"type":"vendor_to_customer","object":{"type":"product","id":"101"},'
        '"message":"Does it take LED bulbs?"}\'',
        f'  curl -s {base_url}/v1/threads -H "Authorization: Bearer $VENDOR"',
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
