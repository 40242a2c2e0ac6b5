"""The API's list rows, cached as JSON in PostgreSQL and kept right by generation numbers.

Building a page of 100 events live (timeline.api.database_json) costs PostgreSQL about 2.5 ms, most
of it in the links and citations; reading the same rows from this cache costs about 0.6 ms.

How a cached row can never be served stale:

- `timeline_row_generation` (content type, object id, generation): triggers on every table a
  row's JSON is read from bump the generation of each record the change touches, in the
  changing transaction itself. They are statement-level triggers with transition tables (one
  statement per change, however many rows), written from the presenters' own record of what
  they read (PageJson.reads) and installed again after every `migrate` (install), so they
  follow the code. A change to a column no row shows (a program's summary) bumps nothing.
- `timeline_row_json` (content type, object id, variant, generation, json): a list query takes a
  record's cached JSON only if its generation equals the record's generation read in the same
  snapshot; it builds the other rows live, in the same statement, and stores them under the
  generation that snapshot saw. A reader whose snapshot predates a change therefore stores its
  JSON under the old generation, which no later reader accepts: no interleaving of readers and
  writers leaves a stale row in use. A row stored under a newer generation is never replaced
  by an older one.
- `variant` is a hash of the live query (the reader's kind, the site's address, the SQL this
  code writes), so rows built for another reader or by another version of the code are never
  taken. Every `migrate` empties the JSON table (the code may have changed), and so does a
  TRUNCATE of any table rows are read from. The JSON table is UNLOGGED: after a crash
  PostgreSQL empties it, which is safe; the generations are logged and survive.

Left as they are: JSON of hard-deleted records stays until the next `migrate`; a read-only
standby cannot store rows (settings.API_ROW_CACHE = False there).
"""
import hashlib
from collections import defaultdict

from django.conf import settings
from django.db import connection

GENERATIONS = "timeline_row_generation"
ROWS = "timeline_row_json"
PREFIX = "timeline_rowcache_"

CREATE_TABLES = f"""
CREATE TABLE IF NOT EXISTS {GENERATIONS} (
    content_type_id integer NOT NULL,
    object_id bigint NOT NULL,
    generation bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (content_type_id, object_id)
);
CREATE UNLOGGED TABLE IF NOT EXISTS {ROWS} (
    content_type_id integer NOT NULL,
    object_id bigint NOT NULL,
    variant text NOT NULL,
    generation bigint NOT NULL,
    json text NOT NULL,
    PRIMARY KEY (content_type_id, object_id, variant)
);
"""

_ready = {}


def enabled():
    """Whether list pages go through the cache: on PostgreSQL, when settings.API_ROW_CACHE is on
    and the triggers are installed (checked once per process and database)."""
    if connection.vendor != "postgresql" or not getattr(settings, "API_ROW_CACHE", False):
        return False
    key = connection.settings_dict["NAME"]
    ready = _ready.get(key)
    if ready is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL AND EXISTS "
                           "(SELECT FROM pg_trigger WHERE tgname LIKE %s)", [ROWS, PREFIX + "%"])
            ready = _ready[key] = bool(cursor.fetchone()[0])
    return ready


def variant(live_parts):
    """The name of a live page query (its text and values): rows built by it are stored under it."""
    return hashlib.blake2b(repr(live_parts).encode(), digest_size=16).hexdigest()


def content_type_sql(model):
    """SQL for the model's content type id, looked up when the statement runs: ids can change
    (a flushed test database creates them again), names do not."""
    meta = model._meta
    return (f"(SELECT id FROM django_content_type WHERE app_label = '{meta.app_label}' "
            f"AND model = '{meta.model_name}')")


# --- what rows are read from, and the triggers that follow it ---------------------------------

def presenters():
    """Presenter classes whose list rows the database builds (the cache serves only those)."""
    from django.urls import get_resolver

    from timeline.api import database_json
    from timeline.api.presenting import Presenter

    get_resolver().url_patterns  # import every view, and with them every presenter
    found, todo = [], list(Presenter.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.model is not None and database_json.supports(cls):
            found.append(cls)
    return sorted(set(found), key=lambda cls: cls.__qualname__)


def reads():
    """Every (kind, details) read recorded by PageJson for these presenters, public and staff."""
    from timeline.api.database_json import PageJson
    from timeline.api.presenting import RowContext

    out = []
    for cls in presenters():
        for staff in (False, True):
            ctx = RowContext("http://localhost/")
            ctx.staff = staff
            page = PageJson(cls(ctx))
            page.row()
            out += [read for read in page.reads if read not in out]
    return out


def _rows(op):
    """The transition tables holding the rows a statement changed."""
    return {"INSERT": ["new_rows"], "DELETE": ["old_rows"], "UPDATE": ["old_rows", "new_rows"]}[op]


def _changed_ids(op, columns):
    """SQL selecting ids of rows whose `columns` this statement changed (or removed)."""
    if op == "DELETE":
        return "SELECT id FROM old_rows"
    old = ", ".join(f'o."{c}"' for c in columns)
    new = ", ".join(f'n."{c}"' for c in columns)
    return (f"SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"WHERE ROW({old}) IS DISTINCT FROM ROW({new})")


def bump_selects():
    """{(table, op): [SQL selecting (content type id, object id) of rows to bump]}."""
    from timeline.models import Citation, Source

    selects = defaultdict(list)

    def add(table, op, sql):
        if sql not in selects[(table, op)]:
            selects[(table, op)].append(sql)

    def linked(link_table, record, target_table, target_col, columns):
        """A table of links naming records (`record(alias prefix)`: SQL of their content type and
        id) and a target: any change of a link, or of a target's shown `columns`, bumps them."""
        for op in ("INSERT", "UPDATE", "DELETE"):
            for rows in _rows(op):
                add(link_table, op, f"SELECT {record('')} FROM {rows}")
        for op in ("UPDATE", "DELETE"):
            add(target_table, op, f'SELECT {record("j.")} FROM "{link_table}" j '
                                  f'WHERE j."{target_col}" IN ({_changed_ids(op, columns)})')

    for read in reads():
        kind, model = read[0], read[1]
        table = model._meta.db_table
        ct = content_type_sql(model)
        if kind == "row":
            for op in ("INSERT", "UPDATE", "DELETE"):
                for rows in _rows(op):
                    add(table, op, f"SELECT {ct}, id FROM {rows}")
        elif kind == "foreign":
            _, _, column, target, columns = read
            for op in ("UPDATE", "DELETE"):
                add(target._meta.db_table, op,
                    f'SELECT {ct}, m.id FROM "{table}" m WHERE m."{column}" IN ({_changed_ids(op, columns)})')
        elif kind == "many":
            _, _, through, source_col, target_col, target, columns = read
            linked(through._meta.db_table, lambda a: f'{ct}, {a}"{source_col}"', target._meta.db_table, target_col,
                   columns)
        elif kind == "citations":
            _, _, columns = read
            linked(Citation._meta.db_table, lambda a: f"{a}content_type_id, {a}object_id", Source._meta.db_table,
                   "source_id", columns)
        else:
            raise ValueError(f"unknown read {kind!r}")
    return selects


def _name(table, op):
    name = f"{PREFIX}{table}_{op.lower()}"
    if len(name) > 63:  # PostgreSQL's identifier limit
        name = f"{PREFIX}{hashlib.blake2b(table.encode(), digest_size=6).hexdigest()}_{op.lower()}"
    return name


def trigger_statements():
    """SQL (in order) that drops this module's triggers and functions and creates them anew."""
    statements = [
        f"""DO $$ DECLARE t record; BEGIN
            FOR t IN SELECT tgname, tgrelid::regclass AS rel FROM pg_trigger WHERE tgname LIKE '{PREFIX}%' LOOP
                EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
            END LOOP;
            FOR t IN SELECT oid::regprocedure AS fn FROM pg_proc WHERE proname LIKE '{PREFIX}%' LOOP
                EXECUTE format('DROP FUNCTION %s', t.fn);
            END LOOP; END $$""",
        f"""CREATE FUNCTION {PREFIX}truncated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN DELETE FROM {ROWS}; RETURN NULL; END $$""",
    ]
    tables = set()
    for (table, op), selects in sorted(bump_selects().items()):
        tables.add(table)
        name = _name(table, op)
        union = " UNION ALL ".join(selects)
        # Distinct keys in one order: ON CONFLICT cannot touch a row twice in one statement, and
        # one order keeps two writers bumping the same records from deadlocking.
        statements.append(f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {GENERATIONS} (content_type_id, object_id, generation)
                SELECT k.ct, k.id, 1 FROM ({union}) AS k(ct, id)
                WHERE k.ct IS NOT NULL AND k.id IS NOT NULL GROUP BY k.ct, k.id ORDER BY k.ct, k.id
                ON CONFLICT (content_type_id, object_id) DO UPDATE SET generation = {GENERATIONS}.generation + 1;
                RETURN NULL;
            END $$""")
        transition = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                      "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[op]
        statements.append(f'CREATE TRIGGER {name} AFTER {op} ON "{table}" REFERENCING {transition} '
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    for table in sorted(tables):
        statements.append(f'CREATE TRIGGER {_name(table, "truncate")} AFTER TRUNCATE ON "{table}" '
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}truncated()")
    return statements


def install(using="default"):
    """Create the tables if needed, (re)install the triggers and empty the cached JSON, in one
    transaction (PostgreSQL only)."""
    from django.db import connections, transaction

    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    with transaction.atomic(using=using), conn.cursor() as cursor:
        cursor.execute(CREATE_TABLES)
        for statement in trigger_statements():
            cursor.execute(statement)
        cursor.execute(f"TRUNCATE {ROWS}")
    _ready.clear()


def install_after_migrate(sender, using="default", **kwargs):
    """post_migrate: follow the presenters' reads after every migrate (the timeline app's signal)."""
    if sender.name == "timeline":
        install(using)
