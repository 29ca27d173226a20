"""What the operator reads when the import cannot start: one line, exit 2, no traceback."""

import subprocess
import sys

from tests.cscart_import.cscart_db import scratch


def run(*args, env=None):
    done = subprocess.run(
        [sys.executable, "-m", "cscart_import", *args, "--dry-run", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    return done.returncode, done.stderr.strip()


def test_a_wrong_password_a_bad_address_and_a_missing_table_are_one_line_each():
    status, said = run("mysql://root:wrong@127.0.0.1:3306/mysql")
    assert status == 2 and said.startswith("cscart_import: cannot connect") and "Access denied" in said
    status, said = run("mysql://root@127.0.0.1:1/cscart")
    assert status == 2 and "Connection refused" in said and "\n" not in said
    status, said = run("postgres://root@127.0.0.1/cscart")
    assert status == 2 and "mysql://USER:PASSWORD@HOST:PORT/DATABASE" in said
    with scratch("4.13", prefix="shop_") as store:
        status, said = run(store.url)  # the default prefix, cscart_, is not this store's
        assert status == 2 and "cscart_vendor_communications is missing" in said and "CSCART_TABLE_PREFIX" in said
        assert run(store.url, "--prefix", "shop_") == (0, "")
    for said in (run("mysql://root:wrong@127.0.0.1:3306/mysql")[1],):
        assert "Traceback" not in said
