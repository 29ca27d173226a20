"""CS-Cart's database, read with PyMySQL (pure Python: nothing to compile on the operator's
machine, and it speaks to MySQL and MariaDB alike). The only module that knows SQL.

Everything is read in keyset pages (`thread_id > last`, `(thread_id, message_id) > last`), so
a run holds one page at a time whatever the store's size, and a long read never holds a
transaction open on the storefront's database.
"""

from urllib.parse import unquote, urlparse

import pymysql
import pymysql.cursors

# The columns the import reads; a missing one of these (not of the optional ones) is a table
# that is not CS-Cart's.
THREAD_COLUMNS = (
    "thread_id",
    "status",
    "user_id",
    "company_id",
    "object_id",
    "object_type",
    "created_at",
    "last_message_user_type",
    "last_updated",
)
OPTIONAL_THREAD_COLUMNS = ("subject", "communication_type", "storefront_id")  # 4.11 and later


class SourceError(Exception):
    """The database cannot be read: one line for the operator, never a traceback."""


def _connection_arguments(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in ("mysql", "mariadb") or not parsed.path.strip("/"):
        raise SourceError(f"CSCART_DB must be mysql://USER:PASSWORD@HOST:PORT/DATABASE, not {url!r}")
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 3306,
        "user": unquote(parsed.username or "root"),
        "password": unquote(parsed.password or ""),
        "database": unquote(parsed.path.strip("/")),
        "charset": "utf8mb4",
        "connect_timeout": 10,
        "cursorclass": pymysql.cursors.DictCursor,
        "autocommit": True,
    }


def _where(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname}:{parsed.port or 3306}/{parsed.path.strip('/')}"


class Source:
    def __init__(self, url: str, prefix: str = "cscart_"):
        self.prefix = prefix
        arguments = _connection_arguments(url)
        try:
            self.db = pymysql.connect(**arguments)
        except pymysql.err.OperationalError as error:
            code, text = (error.args + ("",))[:2]
            raise SourceError(f"cannot connect to CS-Cart's database at {_where(url)}: {text} (MySQL error {code})")
        self.thread_columns = self._check()

    def close(self) -> None:
        self.db.close()

    def _table(self, name: str) -> str:
        return f"`{self.prefix}{name}`"

    def _rows(self, sql: str, arguments=()) -> list[dict]:
        try:
            with self.db.cursor() as cursor:
                cursor.execute(sql, arguments)
                return list(cursor.fetchall())
        except pymysql.err.MySQLError as error:
            code, text = (error.args + ("",))[:2]
            raise SourceError(f"CS-Cart's database refused a read: {text} (MySQL error {code})")

    def _check(self) -> tuple[str, ...]:
        """The threads' columns this version has; SourceError for a table that is missing."""
        tables = {
            row["name"]
            for row in self._rows(
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()"
            )
        }
        for name in (
            "vendor_communications",
            "vendor_communication_messages",
            "users",
            "companies",
            "products",
            "product_descriptions",
            "product_prices",
            "orders",
        ):
            if self.prefix + name not in tables:
                raise SourceError(
                    f"CS-Cart's table {self.prefix}{name} is missing (is the Message Center add-on "
                    f"installed, and is the table prefix {self.prefix!r}? CSCART_TABLE_PREFIX sets it)"
                )
        columns = {
            row["name"]
            for row in self._rows(
                "SELECT column_name AS name FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND table_name = %s",
                (self.prefix + "vendor_communications",),
            )
        }
        lacking = [name for name in THREAD_COLUMNS if name not in columns]
        if lacking:
            raise SourceError(f"{self.prefix}vendor_communications lacks {', '.join(lacking)}: not CS-Cart's table")
        return THREAD_COLUMNS + tuple(name for name in OPTIONAL_THREAD_COLUMNS if name in columns)

    def count(self) -> dict:
        threads = self._rows(f"SELECT COUNT(*) AS n FROM {self._table('vendor_communications')}")[0]["n"]
        messages = self._rows(f"SELECT COUNT(*) AS n FROM {self._table('vendor_communication_messages')}")[0]["n"]
        return {"threads": threads, "messages": messages}

    def threads_after(self, thread_id: int, limit: int) -> list[dict]:
        columns = ", ".join(f"`{name}`" for name in self.thread_columns)
        return self._rows(
            f"SELECT {columns} FROM {self._table('vendor_communications')} "
            "WHERE thread_id > %s ORDER BY thread_id LIMIT %s",
            (thread_id, limit),
        )

    def messages_after(self, thread_ids: list[int], after: tuple[int, int], limit: int) -> list[dict]:
        """The messages of these threads after (thread_id, message_id), in that order."""
        marks = ", ".join(["%s"] * len(thread_ids))
        return self._rows(
            "SELECT message_id, thread_id, user_id, user_type, `timestamp`, message "
            f"FROM {self._table('vendor_communication_messages')} WHERE thread_id IN ({marks}) "
            "AND (thread_id > %s OR (thread_id = %s AND message_id > %s)) "
            "ORDER BY thread_id, message_id LIMIT %s",
            (*thread_ids, after[0], after[0], after[1], limit),
        )

    def orphan_messages(self, limit: int) -> tuple[int, list[int]]:
        """Messages whose thread is gone: how many, and the first few ids."""
        join = (
            f"FROM {self._table('vendor_communication_messages')} m "
            f"LEFT JOIN {self._table('vendor_communications')} t ON t.thread_id = m.thread_id "
            "WHERE t.thread_id IS NULL"
        )
        count = self._rows(f"SELECT COUNT(*) AS n {join}")[0]["n"]
        ids = (
            [
                row["message_id"]
                for row in self._rows(f"SELECT m.message_id {join} ORDER BY m.message_id LIMIT %s", (limit,))
            ]
            if count
            else []
        )
        return count, ids

    def _by_id(self, sql: str, key: str, ids) -> dict:
        ids = sorted({int(i) for i in ids if i})
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        return {int(row[key]): row for row in self._rows(sql.format(marks=marks), ids)}

    def users(self, ids) -> dict:
        return self._by_id(
            f"SELECT user_id, user_type, company_id, firstname, lastname, email, status "
            f"FROM {self._table('users')} WHERE user_id IN ({{marks}})",
            "user_id",
            ids,
        )

    def companies(self, ids) -> dict:
        return self._by_id(
            f"SELECT company_id, company, email, status FROM {self._table('companies')} "
            "WHERE company_id IN ({marks})",
            "company_id",
            ids,
        )

    def products(self, ids, lang_code: str) -> dict:
        sql = (
            f"SELECT p.product_id, p.company_id, p.product_code, p.status, "
            f"(SELECT d.product FROM {self._table('product_descriptions')} d WHERE d.product_id = p.product_id "
            f"ORDER BY d.lang_code = {pymysql.converters.escape_string(lang_code)!r} DESC, d.lang_code LIMIT 1) "
            f"AS product, (SELECT pp.price FROM {self._table('product_prices')} pp "
            f"WHERE pp.product_id = p.product_id ORDER BY pp.lower_limit LIMIT 1) AS price "
            f"FROM {self._table('products')} p WHERE p.product_id IN ({{marks}})"
        )
        return self._by_id(sql, "product_id", ids)

    def orders(self, ids) -> dict:
        return self._by_id(
            f"SELECT order_id, company_id, user_id, total, status, `timestamp`, firstname, lastname, "
            f"email FROM {self._table('orders')} WHERE order_id IN ({{marks}})",
            "order_id",
            ids,
        )
