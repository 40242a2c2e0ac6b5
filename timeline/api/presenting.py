"""The API's read path: build response rows from `.values()` queries, not model instances.

A Presenter turns a queryset of one resource into plain dicts ready for JSON: one query for the
page's own columns (related slugs joined in), one UNION ALL query for all its many-to-many links
and its citations, and a fixed few for what a resource embeds (a program's lifecycle). The
number of queries never depends on the number of rows.

The presenter is the one description of a resource's JSON: the list and detail responses, the
CSV export and the bulk dump are built by present(), and the OpenAPI schema is read from the
presenter and its model (timeline.api.serializers.common.describe); the contract tests pin both.
Whole responses are cached (timeline.api.caching), so this runs on the first read after a change.

Which rows a reader sees comes from the model's QuerySet (`visible_to`); related records
(drafts and deleted records are hidden from the public) are checked with the same rule on their
state columns in Python (timeline.models.can_see) rather than in SQL: a condition on the related
table makes SQLite's planner drive the join from that table (40 ms on 20,000 events instead of
1 ms). The link and citation query is plain SQL over the join tables, written from the models'
metadata, because compiling them through the ORM cost more than running them.
"""
from collections import defaultdict
from functools import lru_cache

from django.db import connection
from django.urls import NoReverseMatch, reverse

from timeline.dates import format_precise
from timeline.models import Citation, Source, can_see, reader_is_staff, visibility_q

# Stand-ins for a record's identifier when reversing a route once per request (slug routes
# and numeric-id routes); the real identifier replaces them in each row's URL.
PLACEHOLDERS = ("__lookup__", "987654321987654321")


class RowContext:
    """What rows depend on besides the database: the absolute base URL and who is asking."""

    def __init__(self, base_url, user=None):
        self.base_url = base_url.rstrip("/")
        self.user = user
        self.staff = reader_is_staff(user)
        self._templates = {}

    @classmethod
    def for_request(cls, request):
        return cls(request.build_absolute_uri("/"), request.user)

    def can_see(self, state, deleted_at):
        """Whether this reader may see a record with these state columns."""
        return can_see(self.staff, state, deleted_at)

    def visible(self, prefix=""):
        """Return a Q for related records this reader may see (timeline.models.visibility_q)."""
        return visibility_q(self.user, prefix)

    def url_template(self, name):
        """Return the absolute URL of route `name` with a placeholder for the lookup, or None."""
        if name not in self._templates:
            self._templates[name] = None
            for placeholder in PLACEHOLDERS:
                try:
                    path = reverse(name, args=[placeholder])
                except NoReverseMatch:
                    continue
                prefix, _, suffix = (self.base_url + path).partition(placeholder)
                self._templates[name] = (prefix, suffix)
                break
        return self._templates[name]

    def url(self, name, lookup):
        template = self._templates.get(name) or self.url_template(name)
        if template is None or lookup is None:
            return None
        return f"{template[0]}{lookup}{template[1]}"


# Pages repeat dates; formatting one ("April 2025") costs more than looking it up.
date_display = lru_cache(maxsize=8192)(format_precise)


def precise_date(row, field="date"):
    """Return the date fields of a Dated record: the date, its precision, period end and words."""
    value, precision = row[field], row[f"{field}_precision"]
    out = {field: value, f"{field}_precision": precision}
    if field == "date":
        out["date_end"] = row["date_end"]
        out["date_display"] = date_display(value, precision)
    return out


def in_ids(column, ids):
    """Return SQL and parameters for `column` being one of `ids`.

    PostgreSQL gets one array parameter: a hundred inlined literals made psycopg re-parse a
    long query string and PostgreSQL re-plan it on every request (about 3 ms each).
    """
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


CITATION_COLUMNS = 13  # tag, object id, slug, then the citation's columns (see citation_query)


def citation_query(model_name, ids):
    """Return SQL and parameters selecting the citations of records of one model, tagged -1.

    Columns: tag, object id, (no slug), source id, url, outlet, headline, published, kind,
    locator, note, the source's state and deleted_at, and the citation id (for ordering).
    """
    q = connection.ops.quote_name
    id_condition, id_params = in_ids(f"c.{q('object_id')}", ids)
    sql = (
        f"SELECT -1, c.{q('object_id')}, NULL, c.{q('source_id')}, s.{q('url')}, s.{q('outlet')}, s.{q('headline')}, "
        f"s.{q('published')}, s.{q('kind')}, c.{q('locator')}, c.{q('note')}, s.{q('state')}, s.{q('deleted_at')}, "
        f"c.{q('id')} "
        f"FROM {q(Citation._meta.db_table)} c "
        f"INNER JOIN {q(Source._meta.db_table)} s ON c.{q('source_id')} = s.{q('id')} "
        f"INNER JOIN {q('django_content_type')} t ON c.{q('content_type_id')} = t.{q('id')} "
        f"WHERE t.{q('app_label')} = %s AND t.{q('model')} = %s AND {id_condition}"
    )
    return sql, ["timeline", model_name, *id_params]


def collect_citations(rows, ctx):
    """Group citation rows (from citation_query) by object id, leaving out hidden sources."""
    found = defaultdict(list)
    for (_, object_id, _, source_id, url, outlet, headline, published, kind, locator, note, state, deleted_at,
         _) in rows:
        if ctx.can_see(state, deleted_at):
            found[object_id].append(citation(ctx, source_id, url, outlet, headline, published, kind, locator, note))
    return found


def citations_by_object(model_name, ids, ctx):
    """Return {object id: [citation dicts]} for records of one model (one query).

    Citations of sources the reader may not see (drafts, deleted) are left out.
    """
    if not ids:
        return defaultdict(list)
    sql, params = citation_query(model_name, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY 2, 14", params)
        return collect_citations(cursor.fetchall(), ctx)


def citation(ctx, source_id, url, outlet, headline, published, kind, locator="", note=""):
    return {
        "source": source_id,
        "source_url": ctx.url("api:source-detail", source_id),
        "url": url,
        "outlet": outlet,
        "headline": headline,
        "published": published,
        "kind": kind,
        "locator": locator,
        "note": note,
    }


class Presenter:
    """Describe how one resource is read; subclasses set the class attributes.

    - `fields`: model columns emitted in order; an entry ("website", "url") renames a column;
    - `transforms`: output name -> function applied to the column's value (aliases -> list);
    - `dated`: date field groups emitted with precision ("date" adds date_end and date_display);
    - `foreign`: output name -> foreign key whose target's slug is emitted (null when hidden);
    - `many`: output name -> many-to-many field whose targets' slugs are emitted as a list;
    - `route`: the API route name; `web_route`: the public page's route name (or None);
    - `lookup`: "slug" or "pk", the stable identifier in both URLs;
    - `schema_fields`: output name -> DRF field, for the OpenAPI schema of what the model's
      columns cannot tell (a transform's output, an annotation, what `decorate` adds); the rest of
      the schema is read from the model (timeline.api.serializers.common.describe).
    """

    model = None
    route = None
    web_route = None
    lookup = "slug"
    fields = ()
    transforms = {}
    dated = ()
    foreign = {}
    many = {}
    cited = True
    trailer = ("state", "created_at", "modified_at", "version")
    schema_fields = {}

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def model_name(self):
        return self.model._meta.model_name

    def foreign_columns(self):
        """Return (output name, [slug-or-id, state, deleted_at column]) for each foreign key."""
        out = []
        for name, fk in self.foreign.items():
            target = self.model._meta.get_field(fk).related_model
            key = "slug" if hasattr(target, "slug") else "id"
            out.append((name, [f"{fk}__{key}", f"{fk}__state", f"{fk}__deleted_at"]))
        return out

    def columns(self):
        """Return (output name, column) pairs for `fields`."""
        return [(f, f) if isinstance(f, str) else f for f in self.fields]

    def value_names(self):
        names = ["id", *(col for _, col in self.columns()), *self.trailer]
        if self.lookup == "slug":
            names.insert(1, "slug")
        for group in self.dated:
            names += [group, f"{group}_precision"] + (["date_end"] if group == "date" else [])
        return names

    def values(self, queryset):
        """Return the queryset as dicts of every column a row needs (not yet evaluated)."""
        related = [col for _, cols in self.foreign_columns() for col in cols]
        deleted = ["deleted_at"] if self.tombstones else []
        return queryset.values(*self.value_names(), *related, *deleted)

    @property
    def tombstones(self):
        """Whether this resource's deleted records can be listed as tombstones (curated records)."""
        return hasattr(self.model, "deleted_at")

    def tombstone(self, row):
        """The trace a deleted record leaves in a sync (`?include_deleted=true`)."""
        key = row["slug"] if self.lookup == "slug" else row["id"]
        identity = {"slug": key} if self.lookup == "slug" else {"id": key}
        return {**identity, "state": "deleted", "deleted_at": row["deleted_at"], "url": self.ctx.url(self.route, key)}

    def present(self, rows):
        """Turn fetched value dicts into response rows (a fixed number of queries)."""
        rows = list(rows)
        ids = [r["id"] for r in rows]
        links, cites = self.related(ids)
        extra = self.extra(rows)
        columns, transforms, foreign = self.columns(), self.transforms, self.foreign_columns()
        can_see = self.ctx.can_see
        out = []
        for r in rows:
            if r.get("deleted_at") is not None:
                out.append(self.tombstone(r))
                continue
            key = r["slug"] if self.lookup == "slug" else r["id"]
            item = {"id": r["id"]}
            if self.lookup == "slug":
                item["slug"] = r["slug"]
            item["url"] = self.ctx.url(self.route, key)
            item["web_url"] = self.ctx.url(self.web_route, key) if self.web_route else None
            for name, col in columns:
                value = r[col]
                item[name] = transforms[name](value) if name in transforms else value
            for group in self.dated:
                item.update(precise_date(r, group))
            for name, (key, state, deleted_at) in foreign:
                item[name] = r[key] if r[key] is not None and can_see(r[state], r[deleted_at]) else None
            for name in self.many:
                item[name] = links[name].get(r["id"], [])
            self.decorate(item, r, extra)
            for name in self.trailer:
                item[name] = r[name]
            if self.cited:
                item["citations"] = cites.get(r["id"], [])
            out.append(item)
        return out

    def link_query(self, ids):
        """Return a UNION ALL over every many-to-many table (rows tagged by field index), padded
        to the citation query's columns so that both can run as one query."""
        q = connection.ops.quote_name
        parts, params = [], []
        padding = ", ".join(["NULL"] * (CITATION_COLUMNS - 5))
        for index, field_name in enumerate(self.many.values()):
            field = self.model._meta.get_field(field_name)
            through, target = field.remote_field.through, field.related_model
            source_col = through._meta.get_field(field.m2m_field_name()).column
            target_col = through._meta.get_field(field.m2m_reverse_field_name()).column
            id_condition, id_params = in_ids(f"j.{q(source_col)}", ids)
            parts.append(
                f"SELECT {index}, j.{q(source_col)}, r.{q('slug')}, {padding}, r.{q('state')}, r.{q('deleted_at')}, 0 "
                f"FROM {q(through._meta.db_table)} j INNER JOIN {q(target._meta.db_table)} r "
                f"ON j.{q(target_col)} = r.{q('id')} WHERE {id_condition}"
            )
            params += id_params
        return " UNION ALL ".join(parts), params

    def related(self, ids):
        """Return ({field: {id: [slugs]}}, {id: [citations]}) for the page: one query for the
        links of every many-to-many field and the citations together."""
        names = list(self.many)
        links = {name: {} for name in names}
        if not ids or not (names or self.cited):
            return links, {}
        parts, params = [], []
        if self.cited:
            # First, so that PostgreSQL takes the column types from real columns, not NULLs.
            sql, cite_params = citation_query(self.model_name, ids)
            parts.append(sql)
            params += cite_params
        if names:
            sql, link_params = self.link_query(ids)
            parts.append(sql)
            params += link_params
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2, 14", params)
            rows = cursor.fetchall()
        split = next((i for i, row in enumerate(rows) if row[0] >= 0), len(rows))
        cites = collect_citations(rows[:split], self.ctx)
        can_see = self.ctx.can_see
        for row in rows[split:]:
            if can_see(row[11], row[12]):
                links[names[row[0]]].setdefault(row[1], []).append(row[2])
        for by_id in links.values():
            for slugs in by_id.values():
                slugs.sort()
        return links, cites

    def last_modified(self, rows):
        """Return when the newest of these rows last changed (for Last-Modified), or None."""
        return max((r["modified_at"] for r in rows), default=None)

    def extra(self, rows):
        """Fetch what the resource embeds beyond columns and links (override; fixed queries)."""
        return None

    def decorate(self, item, row, extra):
        """Add resource-specific keys to a row (override)."""
