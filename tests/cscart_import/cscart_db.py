"""A scratch CS-Cart database in the MariaDB at 127.0.0.1:3306, with the tables of
../shared/cscart-schema.md as a store of `version` has them, created for a test and dropped."""

import contextlib
import uuid

import pymysql

SERVER = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


def _threads_table(prefix: str, version: str) -> str:
    newer = version >= "4.11"  # subject, storefront_id, communication_type came with 4.11
    return f"""CREATE TABLE `{prefix}vendor_communications` (
        thread_id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
        {"storefront_id int unsigned NOT NULL DEFAULT 0," if newer else ""}
        status char(1) NOT NULL DEFAULT 'N',
        user_id mediumint unsigned NOT NULL DEFAULT 0,
        company_id int unsigned NOT NULL DEFAULT 0,
        object_id int unsigned NOT NULL DEFAULT 0,
        object_type char(1) NOT NULL DEFAULT '',
        created_at int unsigned NOT NULL DEFAULT 0,
        last_message varchar(255) NOT NULL DEFAULT '',
        last_message_user_id mediumint unsigned NOT NULL DEFAULT 0,
        last_message_user_type char(1) NOT NULL DEFAULT '',
        last_updated int unsigned NOT NULL DEFAULT 0,
        {"subject varchar(255) NOT NULL DEFAULT '', communication_type varchar(40) NOT NULL DEFAULT ''," if newer else ""}
        KEY company_id (company_id), KEY user_id (user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


def tables(prefix: str, version: str) -> list[str]:
    return [
        _threads_table(prefix, version),
        f"""CREATE TABLE `{prefix}vendor_communication_messages` (
            message_id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, thread_id int unsigned NOT NULL,
            user_id mediumint unsigned NOT NULL DEFAULT 0, user_type char(1) NOT NULL DEFAULT 'C',
            timestamp int unsigned NOT NULL DEFAULT 0, message text, KEY thread_id (thread_id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
        f"""CREATE TABLE `{prefix}users` (user_id mediumint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
            user_type char(1) NOT NULL DEFAULT 'C', company_id int unsigned NOT NULL DEFAULT 0,
            firstname varchar(128) NOT NULL DEFAULT '', lastname varchar(128) NOT NULL DEFAULT '',
            email varchar(128) NOT NULL DEFAULT '', status char(1) NOT NULL DEFAULT 'A') DEFAULT CHARSET=utf8mb4""",
        f"""CREATE TABLE `{prefix}companies` (company_id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
            company varchar(255) NOT NULL DEFAULT '', email varchar(128) NOT NULL DEFAULT '',
            status char(1) NOT NULL DEFAULT 'A') DEFAULT CHARSET=utf8mb4""",
        f"""CREATE TABLE `{prefix}products` (product_id mediumint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
            company_id int unsigned NOT NULL DEFAULT 0, product_code varchar(64) NOT NULL DEFAULT '',
            status char(1) NOT NULL DEFAULT 'A') DEFAULT CHARSET=utf8mb4""",
        f"""CREATE TABLE `{prefix}product_descriptions` (product_id mediumint unsigned NOT NULL,
            lang_code char(2) NOT NULL DEFAULT 'en', product varchar(255) NOT NULL DEFAULT '',
            PRIMARY KEY (product_id, lang_code)) DEFAULT CHARSET=utf8mb4""",
        f"""CREATE TABLE `{prefix}product_prices` (product_id mediumint unsigned NOT NULL,
            price decimal(12,2) NOT NULL DEFAULT 0, lower_limit smallint unsigned NOT NULL DEFAULT 0,
            PRIMARY KEY (product_id, lower_limit)) DEFAULT CHARSET=utf8mb4""",
        f"""CREATE TABLE `{prefix}orders` (order_id mediumint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
            is_parent_order char(1) NOT NULL DEFAULT 'N', parent_order_id mediumint unsigned NOT NULL DEFAULT 0,
            company_id int unsigned NOT NULL DEFAULT 0, user_id mediumint unsigned NOT NULL DEFAULT 0,
            total decimal(12,2) NOT NULL DEFAULT 0, timestamp int unsigned NOT NULL DEFAULT 0,
            status char(1) NOT NULL DEFAULT 'O', firstname varchar(128) NOT NULL DEFAULT '',
            lastname varchar(128) NOT NULL DEFAULT '', email varchar(128) NOT NULL DEFAULT '')
            DEFAULT CHARSET=utf8mb4""",
    ]


class CsCart:
    """The scratch store: `add(table, **row)` inserts one row, `url` is CSCART_DB's value."""

    def __init__(self, name: str, prefix: str, version: str):
        self.name, self.prefix, self.version = name, prefix, version
        self.url = f"mysql://root@127.0.0.1:3306/{name}"
        self.db = pymysql.connect(**SERVER, database=name, autocommit=True, charset="utf8mb4")

    def add(self, table: str, **row) -> int:
        columns = ", ".join(f"`{name}`" for name in row)
        marks = ", ".join(["%s"] * len(row))
        with self.db.cursor() as cursor:
            cursor.execute(f"INSERT INTO `{self.prefix}{table}` ({columns}) VALUES ({marks})", list(row.values()))
            return cursor.lastrowid

    def add_many(self, table: str, rows: list[dict]) -> None:
        names = list(rows[0])
        with self.db.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO `{self.prefix}{table}` ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
                [[r[n] for n in names] for r in rows],
            )

    def execute(self, sql: str, arguments=()) -> None:
        with self.db.cursor() as cursor:
            cursor.execute(sql.replace("{prefix}", self.prefix), arguments)


@contextlib.contextmanager
def scratch(version: str = "4.13", prefix: str = "cscart_"):
    name = f"cscart_test_{uuid.uuid4().hex[:10]}"
    server = pymysql.connect(**SERVER, autocommit=True)
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    store = CsCart(name, prefix, version)
    try:
        for statement in tables(prefix, version):
            store.execute(statement)
        yield store
    finally:
        store.db.close()
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()
