"""Build a list page's rows as JSON text in the database, so that Python only joins bytes.

For presenters whose rows are plain columns, links and citations (no Python transforms or
embeds), the database writes each row as exactly the object Presenter.present() builds: the
same keys in the same order, the same values (dates as ISO 8601, times in UTC with Z, the date
as people write it), links as sorted slugs and citations in citation order, with hidden related
records (drafts, deleted) left out for the public. The list page then costs one query whatever
its size, and no Python per row or per link.

The query wraps the ORM's page query (filters, ordering, cursor and limit stay the ORM's) in a
CTE `page` and builds the rows from it. PostgreSQL aggregates the links and citations of the
whole page at once (one UNION ALL over `= ANY(ARRAY(SELECT id FROM page))`, which reads the join
tables' indexes, sorted once and grouped by row with one json_agg per kind) and joins the
result: correlated subqueries per row cost it about 10 µs of executor start-up each, 500 per
page. Objects are to_json of a LATERAL row (see PageJson.obj). SQLite runs
correlated subqueries cheaply, and before 3.44 has no ORDER BY inside an aggregate, so it gets
one ordered subquery per row and kind of link.

On PostgreSQL a repeated page query runs as a prepared statement (settings.DB_PREPARED_STATEMENTS):
planning it took almost as long as running it (about 2.4 ms against 2.9 ms for 100 events), and
once prepared PostgreSQL keeps a generic plan for it. The ORM compiles the page query of an
unfiltered list once per shape, not on every request (compiled_page).

tests/timeline/api/test_database_json.py compares the two paths row by row, for the public and
for staff, on records of every precision and with hidden links; the contract tests pin the bodies.
"""
import calendar
import datetime
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.urls import get_script_prefix

from timeline.models import Citation, Source, State

# Column types emitted as they are stored; anything else keeps a presenter on the Python path.
PLAIN_TYPES = {"AutoField", "BigAutoField", "IntegerField", "PositiveIntegerField", "BigIntegerField",
               "PositiveSmallIntegerField", "SmallIntegerField", "CharField", "TextField", "SlugField",
               "URLField", "EmailField"}
DATE_TYPES = {"DateField"}
TIME_TYPES = {"DateTimeField"}
MARK = "\x00"
PAGE = "\x01page\x01"


def supports(presenter_class):
    """Whether rows of this presenter can be built in the database (decided once per class)."""
    cached = presenter_class.__dict__.get("_database_json")
    if cached is None:
        cached = _supports(presenter_class)
        presenter_class._database_json = cached
    return cached


def _supports(presenter_class):
    from timeline.api.presenting import Presenter

    if connection.vendor not in ("postgresql", "sqlite") or presenter_class.transforms:
        return False
    if presenter_class.extra is not Presenter.extra or presenter_class.decorate is not Presenter.decorate:
        return False
    meta = presenter_class.model._meta
    names = [col for _, col in presenter_class(None).columns()] + list(presenter_class.trailer)
    types = PLAIN_TYPES | DATE_TYPES | TIME_TYPES
    return all(meta.get_field(name).get_internal_type() in types for name in names)


class PageJson:
    """Write the SQL of one presenter's list page for one reader (see the module docstring)."""

    def __init__(self, presenter):
        self.presenter = presenter
        self.ctx = presenter.ctx
        self.model = presenter.model
        self.postgres = connection.vendor == "postgresql"
        self.q = connection.ops.quote_name
        self.params = []
        self.arrays = []  # PostgreSQL: the SELECTs gathered into the CTE `arrays`
        self.array_of_strings = []  # and for each, whether its items are strings (see array)
        self.joins = []
        self.row_lateral = None
        # What the row's JSON is read from, for the row cache's triggers (timeline.api.row_cache):
        # (kind, details) tuples recorded as the SQL is written.
        self.reads = [("row", self.model)]

    # Small pieces, each returning SQL; parameters go through markers (see param).

    def param(self, value):
        """Return a marker standing for a parameter; parts() turns markers into %s in text order
        (pieces are written inside out, so writing order is not the order in the query)."""
        self.params.append(value)
        return f"{MARK}{len(self.params) - 1}{MARK}"

    def obj(self, pairs, alias):
        """Return (the JSON object of `pairs`, the FROM item it needs or None).

        PostgreSQL: to_json of a LATERAL row whose columns are named by the keys (the planner
        flattens the LATERAL into the row expression): json_build_object looked up the JSON
        category of each of its arguments on every call, and cost about twice as much for a page.
        to_json writes the same values, without spaces between items."""
        # Keys are this module's own names (letters and underscores), written as literals.
        if self.postgres:
            columns = ", ".join(f'{value} AS "{key}"' for key, value in pairs)
            return f"to_json({alias})", f"CROSS JOIN LATERAL (SELECT {columns}) {alias}"
        args = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"json_object({args})", None

    def visible(self, alias):
        condition = f"{alias}.{self.q('deleted_at')} IS NULL"
        if not self.ctx.staff:
            condition += f" AND {alias}.{self.q('state')} = '{State.PUBLISHED.value}'"
        return condition

    def url(self, route, lookup_sql):
        template = self.ctx.url_template(route) if route else None
        if template is None:
            return "NULL"
        return f"({self.param(template[0])} || CAST({lookup_sql} AS TEXT) || {self.param(template[1])})"

    def time(self, sql):
        """A UTC time as orjson writes it: 2025-01-02T03:04:05Z, or with .ffffff when it has them."""
        if self.postgres:
            utc = f"({sql} AT TIME ZONE 'UTC')"
            return (f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN {sql} = date_trunc('second', {sql}) "
                    f"THEN '' ELSE to_char({utc}, '.US') END || 'Z')")
        # Django stores a UTC time as text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        return f"(replace({sql}, ' ', 'T') || 'Z')"

    def date_display(self, date, precision):
        """timeline.dates.format_precise: '9 May 2025', 'April 2025', '2014', 'date unknown'."""
        months = ", ".join(f"'{name}'" for name in calendar.month_name[1:])
        if self.postgres:
            year = f"extract(year FROM {date})::int::text"
            month = f"(ARRAY[{months}])[extract(month FROM {date})::int]"
            day = f"extract(day FROM {date})::int::text"
        else:
            year = f"CAST(CAST(strftime('%%Y', {date}) AS INTEGER) AS TEXT)"
            # A CASE, not json_extract of a json_array: that built and parsed the array on every row.
            month = ("CASE strftime('%%m', " + date + ") "
                     + " ".join(f"WHEN '{n:02d}' THEN '{calendar.month_name[n]}'" for n in range(1, 13)) + " END")
            day = f"CAST(CAST(strftime('%%d', {date}) AS INTEGER) AS TEXT)"
        return (f"CASE WHEN {date} IS NULL THEN 'date unknown' "
                f"WHEN {precision} = 'year' THEN {year} "
                f"WHEN {precision} = 'month' THEN {month} || ' ' || {year} "
                f"ELSE {day} || ' ' || {month} || ' ' || {year} END")

    def column(self, alias, field):
        sql = f"{alias}.{self.q(field.column)}"
        return self.time(sql) if field.get_internal_type() in TIME_TYPES else sql

    def array(self, source, key, strings=None, objects=None, number_order=None):
        """A JSON array, for each page row, over the rows of `source` (FROM ... WHERE, without
        the page condition; `key` is the column naming the page row): of the text `strings`,
        sorted as Python sorts strings (by code point), or of the JSON `objects` ordered by
        `number_order`."""
        if self.postgres:
            # Collected into one CTE for the whole page (see parts): one UNION ALL, one grouping
            # and one join instead of one of each per array (0.3 ms less for an events page).
            # Strings go in column t, aggregated as they are (no to_json per item), objects in v.
            index = len(self.arrays)
            text = f'CAST({strings or "NULL"} AS TEXT) COLLATE "C"'
            self.arrays.append(
                f"SELECT {index} AS k, {key} AS id, {text} AS t, {objects or 'CAST(NULL AS JSON)'} AS v, "
                f"CAST({number_order or 'NULL'} AS BIGINT) AS o {source} "
                f"AND {key} = ANY(ARRAY(SELECT id FROM page))")
            self.array_of_strings.append(bool(strings))
            return f"coalesce(arrays.v{index}, '[]'::json)"
        # SQLite (before 3.44) has no ORDER BY inside an aggregate: aggregate an ordered subquery.
        # Strings go to json_group_array as they are (it quotes them); objects are joined as the
        # JSON text json_object wrote and the array is parsed once, by json(), so that the row's
        # json_object embeds it as JSON (a subquery's value loses that mark): parsing each item
        # again cost more. (Writing the row's object out by concatenation was slower still.)
        if strings:
            return (f"json((SELECT json_group_array(v) FROM (SELECT {strings} AS v {source} AND {key} = page.id "
                    f"ORDER BY {strings})))")
        return (f"json((SELECT '[' || coalesce(group_concat(v, ','), '') || ']' FROM "
                f"(SELECT {objects} AS v {source} AND {key} = page.id ORDER BY {number_order})))")

    def arrays_cte(self):
        """The PostgreSQL CTE `arrays`: per page row, one column v<i> per array (see array)."""
        # The items reach the aggregates in the sorted subquery's order: one sort of the page's
        # items instead of a sort per row and aggregate (about 500 small sorts for a page of 100
        # events, 0.3 ms). PostgreSQL aggregates the input of a sorted subquery in that order
        # (see "Aggregate Expressions" in its manual); tests/timeline/api/test_database_json.py
        # checks the order against the Python path.
        aggregates = ", ".join(f"json_agg({'t' if strings else 'v'}) FILTER (WHERE k = {index}) AS v{index}"
                               for index, strings in enumerate(self.array_of_strings))
        return (f"arrays AS (SELECT id, {aggregates} FROM ({' UNION ALL '.join(self.arrays)} "
                f"ORDER BY id, k, t, o) u GROUP BY id)")

    # The page.

    def parts(self, field_name, descending, variant=None):
        """Return (head, tail, params): the query is head + the page query's SQL + tail, and
        selects id, the ordering field, the newest modification time so far (as text) and the
        row's JSON text for each row of the page, in the page's order; `params` follow the page
        query's own.

        With `variant` (PostgreSQL), rows come from the row cache where they are current and are
        built, and stored, only where they are not (timeline.api.row_cache); `variant` names
        the live query these rows would come from."""
        q, meta = self.q, self.model._meta
        columns = ", ".join(q(f.column) for f in meta.concrete_fields)
        row = self.row()
        field = meta.get_field(field_name)
        direction = "DESC" if descending else "ASC"
        if variant is not None:
            return self.cached_parts(columns, row, field, direction, variant)
        ctes = [f"page ({columns}) AS {'MATERIALIZED ' if self.postgres else ''}({PAGE})", *self.row_sources()]
        order, newest = self.ordered("page", field, direction)
        sql = (f"WITH {', '.join(ctes)} SELECT page.{q('id')}, page.{q(field.column)}, {newest}, "
               f"{row}{'::text' if self.postgres else ''} FROM page {' '.join(self.joins)} ORDER BY {order}")
        return self.split(sql)

    def row_sources(self):
        """Return the CTEs the row reads (the arrays), after adding their joins to self.joins."""
        ctes = []
        if self.arrays:
            ctes.append(self.arrays_cte())
            self.joins.append("LEFT JOIN arrays ON arrays.id = page.id")
        if self.row_lateral:
            self.joins.append(self.row_lateral)  # last: it reads the joins before it
        return ctes

    def ordered(self, alias, field, direction):
        """Return (ORDER BY of the page, the newest modification time up to each row as text).

        Last-Modified needs only the newest time at a page's last row, and loading a time per
        row cost more than the rest."""
        q = self.q
        order = f"{alias}.{q(field.column)} {direction} NULLS LAST, {alias}.{q('id')} {direction}"
        return order, f"CAST(max({alias}.{q('modified_at')}) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING) AS TEXT)"

    def split(self, sql):
        pieces = sql.split(MARK)
        params = tuple(self.params[int(index)] for index in pieces[1::2])
        head, tail = "%s".join(pieces[0::2]).split(PAGE)
        return head, tail, params

    def cached_parts(self, columns, row, field, direction, variant):
        """parts() through the row cache, in one statement (one snapshot):

        - `everything`: the page's records, chosen by the ORM's page query as always;
        - `fresh`: their cached rows whose generation is the record's generation now;
        - `page`: the others, for which the usual CTEs and joins build `built` as parts() does;
        - `stored`: `built` written to the cache under the generation this snapshot saw (a newer
          one already stored wins), in id order so that concurrent readers lock rows in one order.
        """
        from timeline.api import row_cache

        q = self.q
        content_type = row_cache.content_type_sql(self.model)
        ids = "ANY(ARRAY(SELECT id FROM everything))"
        ctes = [
            f"everything ({columns}) AS MATERIALIZED ({PAGE})",
            # Generations are joined by their index, not gathered in a CTE first: the planner
            # cannot count a CTE's rows and looped over all of them for each cached row.
            f"fresh AS MATERIALIZED (SELECT j.object_id AS id, j.json FROM {row_cache.ROWS} j "
            f"LEFT JOIN {row_cache.GENERATIONS} g ON g.content_type_id = j.content_type_id AND g.object_id = j.object_id "
            f"WHERE j.content_type_id = {content_type} AND j.variant = '{variant}' AND j.object_id = {ids} "
            f"AND j.generation = coalesce(g.generation, 0))",
            f"page ({columns}) AS MATERIALIZED (SELECT {columns} FROM everything "
            f"WHERE NOT EXISTS (SELECT FROM fresh WHERE fresh.id = everything.id))",
            *self.row_sources(),
        ]
        ctes.append(f"built AS MATERIALIZED (SELECT page.{q('id')} AS id, {row}::text AS json FROM page {' '.join(self.joins)})")
        ctes.append(
            f"stored AS (INSERT INTO {row_cache.ROWS} (content_type_id, object_id, variant, generation, json) "
            f"SELECT {content_type}, built.id, '{variant}', coalesce(g.generation, 0), built.json FROM built "
            f"LEFT JOIN {row_cache.GENERATIONS} g ON g.content_type_id = {content_type} AND g.object_id = built.id "
            f"ORDER BY built.id "
            f"ON CONFLICT (content_type_id, object_id, variant) DO UPDATE SET generation = excluded.generation, "
            f"json = excluded.json WHERE {row_cache.ROWS}.generation < excluded.generation)")
        order, newest = self.ordered("everything", field, direction)
        sql = (f"WITH {', '.join(ctes)} SELECT everything.{q('id')}, everything.{q(field.column)}, {newest}, "
               f"coalesce(fresh.json, built.json) FROM everything LEFT JOIN fresh ON fresh.id = everything.id "
               f"LEFT JOIN built ON built.id = everything.id ORDER BY {order}")
        return self.split(sql)

    def row(self):
        p, meta, q = self.presenter, self.model._meta, self.q
        col = lambda name: self.column("page", meta.get_field(name))  # noqa: E731
        key = f"page.{q('slug')}" if p.lookup == "slug" else f"page.{q('id')}"
        pairs = [("id", f"page.{q('id')}")]
        if p.lookup == "slug":
            pairs.append(("slug", f"page.{q('slug')}"))
        pairs.append(("url", self.url(p.route, key)))
        pairs.append(("web_url", self.url(p.web_route, key) if p.web_route else "NULL"))
        pairs += [(name, col(column)) for name, column in p.columns()]
        for group in p.dated:
            pairs += [(group, col(group)), (f"{group}_precision", col(f"{group}_precision"))]
            if group == "date":
                pairs.append(("date_end", col("date_end")))
                pairs.append(("date_display", self.date_display(f"page.{q('date')}", f"page.{q('date_precision')}")))
        for name, fk in p.foreign.items():
            pairs.append((name, self.foreign(meta.get_field(fk))))
        for name, field_name in p.many.items():
            pairs.append((name, self.many(meta.get_field(field_name))))
        pairs += [(name, col(name)) for name in p.trailer]
        if p.cited:
            pairs.append(("citations", self.citations()))
        row, self.row_lateral = self.obj(pairs, "r")
        return row

    def foreign(self, field):
        q, target = self.q, field.related_model
        key = "slug" if hasattr(target, "slug") else "id"
        alias = f"f{len(self.joins)}"
        self.reads.append(("foreign", self.model, field.column, target, (key, "state", "deleted_at")))
        self.joins.append(f"LEFT JOIN {q(target._meta.db_table)} {alias} "
                          f"ON {alias}.{q('id')} = page.{q(field.column)} AND {self.visible(alias)}")
        return f"{alias}.{q(key)}"

    def many(self, field):
        q = self.q
        through, target = field.remote_field.through, field.related_model
        source_col = through._meta.get_field(field.m2m_field_name()).column
        target_col = through._meta.get_field(field.m2m_reverse_field_name()).column
        self.reads.append(("many", self.model, through, source_col, target_col, target, ("slug", "state", "deleted_at")))
        source = (f"FROM {q(through._meta.db_table)} j INNER JOIN {q(target._meta.db_table)} r "
                  f"ON j.{q(target_col)} = r.{q('id')} WHERE {self.visible('r')}")
        return self.array(source, f"j.{q(source_col)}", strings=f"r.{q('slug')}")

    def citations(self):
        q = self.q
        source_meta = Source._meta
        self.reads.append(("citations", self.model, ("url", "outlet", "headline", "published", "kind", "state",
                                                     "deleted_at")))
        item, lateral = self.obj([
            ("source", f"s.{q('id')}"),
            ("source_url", self.url("api:source-detail", f"s.{q('id')}")),
            ("url", f"s.{q('url')}"),
            ("outlet", f"s.{q('outlet')}"),
            ("headline", f"s.{q('headline')}"),
            ("published", self.column("s", source_meta.get_field("published"))),
            ("kind", f"s.{q('kind')}"),
            ("locator", f"c.{q('locator')}"),
            ("note", f"c.{q('note')}"),
        ], "x")
        content_type = (f"(SELECT ct.{q('id')} FROM {q('django_content_type')} ct "
                        f"WHERE ct.{q('app_label')} = '{self.model._meta.app_label}' "
                        f"AND ct.{q('model')} = '{self.model._meta.model_name}')")
        source = (f"FROM {q(Citation._meta.db_table)} c INNER JOIN {q(source_meta.db_table)} s "
                  f"ON c.{q('source_id')} = s.{q('id')} {lateral or ''} "
                  f"WHERE c.{q('content_type_id')} = {content_type} AND {self.visible('s')}")
        return self.array(source, f"c.{q('object_id')}", objects=item, number_order=f"c.{q('id')}")


@lru_cache(maxsize=None)
def converter(field):
    """Return a function turning a raw database value of `field` into what the ORM would give,
    or None when the value needs no conversion."""
    col = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
    if not converters:
        return None

    def convert(value):
        for function in converters:
            value = function(value, col, connection)
        return value

    return convert


def fetch_page(presenter, queryset, ordering, reuse=None):
    """Run the page of `queryset` (ordered, sliced by the paginator) as one query and return
    dicts of id, the ordering field, `newest` (see last_modified) and `row_json` (the row's
    JSON text).

    `reuse` (key, cursor position or None): the caller vouches that `queryset` is the one every
    request with this key builds (see ResourceViewSet.list), apart from the cursor's values;
    its SQL is then compiled once per key (see compiled_page)."""
    meta = presenter.model._meta
    if reuse is None:
        page_sql, page_params = compile_page(queryset, meta)
    else:
        page_sql, page_params = compiled_page(queryset, meta, ordering, *reuse)
    from timeline.api import row_cache

    head, tail, params = page_query_parts(type(presenter), presenter.ctx.staff, presenter.ctx.base_url,
                                          get_script_prefix(), ordering.field, ordering.descending,
                                          row_cache.enabled())
    prepared = prepare_statements()
    if prepared:
        # Every value written into the text, quoted by psycopg as Django's client-side cursors
        # always do: a prepared statement's generic plan cannot use the partial indexes on
        # public events for `state = $1`, and planned the page as a sort of every event (12 ms
        # instead of 3); and a query without parameters is sent as it is (no placeholders to
        # find in 8 kB of SQL on every request).
        sql, params = connection.ops.compose_sql(head + page_sql + tail, [*page_params, *params]), None
    else:
        sql, params = head + page_sql + tail, [*page_params, *params]
    with page_cursor(prepared) as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    field = ordering.field
    by_order = converter(meta.get_field(field))
    if by_order is None:
        return [{"id": pk, field: value, "newest": newest, "row_json": text} for pk, value, newest, text in raw]
    return [{"id": pk, field: by_order(value), "newest": newest, "row_json": text} for pk, value, newest, text in raw]


def compile_page(queryset, meta):
    """Return the SQL and parameters of the page query, selecting every column (the ORM's
    compiler: about 0.35 ms for an events page)."""
    return queryset.values(*(f.attname for f in meta.concrete_fields)).query.sql_with_params()


COMPILED_PAGES = {}


def compiled_page(queryset, meta, ordering, key, after):
    """compile_page, compiled once per `key`: later calls reuse the SQL with the parameters of
    their own cursor position `after` (Ordering.after_params). The SQL is kept only when the
    compiled parameters end with exactly those, so a cursor condition compiled differently is
    never reused with parameters in the wrong places."""
    cursor_params = ordering.after_params(meta.get_field(ordering.field), *after) if after is not None else ()
    key = (key, None if after is None else after[0] is None)
    compiled = COMPILED_PAGES.get(key)
    if compiled is not None:
        return compiled[0], compiled[1] + cursor_params
    sql, params = compile_page(queryset, meta)
    params = tuple(params)
    base = params[:len(params) - len(cursor_params)]
    if base + cursor_params == params:
        if len(COMPILED_PAGES) >= 1024:  # page sizes and orderings are bounded, but stay small
            COMPILED_PAGES.clear()
        COMPILED_PAGES[key] = (sql, base)
    return sql, params


def last_modified(model, page):
    """Return when the newest row of a page of fetch_page rows (in page order) changed: the
    running maximum at its last row, as text, parsed once."""
    if not page:
        return None
    text = page[-1]["newest"]
    if connection.vendor == "postgresql":
        return datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)
    return converter(model._meta.get_field("modified_at"))(text)


@lru_cache(maxsize=256)
def page_query_parts(presenter_class, staff, base_url, script_prefix, field_name, descending, cached=False):
    """PageJson.parts, written once per kind of reader, site address and ordering: writing it
    took about a third as long as SQLite takes to run it. `script_prefix` is part of the key
    because the row URLs in it come from reverse().

    `cached`: through the row cache (timeline.api.row_cache), whose variant is a hash of the
    live query: rows built by other SQL (another reader, site address or version of this
    code) are never taken for these."""
    from timeline.api import row_cache
    from timeline.api.presenting import RowContext

    def page_json():
        ctx = RowContext(base_url)
        ctx.staff = staff
        return PageJson(presenter_class(ctx))

    live = page_json().parts(field_name, descending)
    if not cached:
        return live
    # The variant names how rows are built, not how they are ordered: the live query written for
    # one fixed ordering, so that every ordering of a list shares the same stored rows.
    same_rows = live if (field_name, descending) == ("id", False) else page_json().parts("id", False)
    return page_json().parts(field_name, descending, variant=row_cache.variant(same_rows))


def prepare_statements():
    return connection.vendor == "postgresql" and getattr(settings, "DB_PREPARED_STATEMENTS", False)


def page_cursor(prepared):
    """Return a cursor for the page query: Django's usual one, or (`prepared`) a server-side
    binding psycopg cursor, which prepares a statement once the connection has run it
    `prepare_threshold` times (config.settings sets it; Django's own client-side binding cursors
    never prepare). Either is wrapped by Django as connection.cursor() would be, so that its
    queries are logged, counted and have their errors translated."""
    if not prepared:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    return connection._prepare_cursor(raw)
