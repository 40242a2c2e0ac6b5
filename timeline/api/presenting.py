"""The API's fast read path: build response rows from `.values()` queries, not model instances.

A Presenter turns a queryset of one resource into plain dicts ready for JSON: one query for the
page's own columns (related slugs joined in), one UNION query for all its many-to-many links,
one for the citations, and a fixed few for what a resource embeds (a program's lifecycle). The
number of queries never depends on the number of rows. The shapes are described for the OpenAPI
schema by the serializers in timeline.api.serializers, and the contract tests pin both.
"""
from collections import defaultdict

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse

from timeline.dates import format_precise
from timeline.models import Citation, State

# Stand-ins for a record's identifier when reversing a route once per request (slug routes
# and numeric-id routes); the real identifier replaces them in each row's URL.
PLACEHOLDERS = ("__lookup__", "987654321987654321")


class RowContext:
    """What rows depend on besides the database: the absolute base URL and who is asking."""

    def __init__(self, base_url, user=None):
        self.base_url = base_url.rstrip("/")
        self.user = user
        self.staff = bool(user is not None and user.is_authenticated and user.is_staff)
        self._templates = {}

    @classmethod
    def for_request(cls, request):
        return cls(request.build_absolute_uri("/"), request.user)

    def visible(self, prefix=""):
        """Return a Q for related records this reader may see (published and live, or live for staff)."""
        condition = Q(**{f"{prefix}deleted_at__isnull": True})
        if not self.staff:
            condition &= Q(**{f"{prefix}state": State.PUBLISHED})
        return condition

    def url_template(self, name):
        """Return the absolute URL of route `name` with a placeholder for the lookup, or None."""
        if name not in self._templates:
            self._templates[name] = None
            for placeholder in PLACEHOLDERS:
                try:
                    path = reverse(name, args=[placeholder])
                except NoReverseMatch:
                    continue
                self._templates[name] = (self.base_url + path, placeholder)
                break
        return self._templates[name]

    def url(self, name, lookup):
        template = self.url_template(name)
        if template is None or lookup is None:
            return None
        return template[0].replace(template[1], str(lookup))


def precise_date(row, field="date"):
    """Return the date fields of a Dated record: the date, its precision, period end and words."""
    value, precision = row[field], row[f"{field}_precision"]
    out = {field: value, f"{field}_precision": precision}
    if field == "date":
        out["date_end"] = row["date_end"]
        out["date_display"] = format_precise(value, precision)
    return out


def citations_by_object(model_name, ids, ctx):
    """Return {object id: [citation dicts]} for records of one model (one query).

    Citations of sources the reader may not see (drafts, deleted) are left out.
    """
    found = defaultdict(list)
    if not ids:
        return found
    rows = (
        Citation.objects.filter(
            ctx.visible("source__"),
            content_type__app_label="timeline", content_type__model=model_name, object_id__in=ids,
        )
        .order_by("object_id", "id")
        .values_list("object_id", "source_id", "source__url", "source__outlet", "source__headline",
                     "source__published", "source__kind", "locator", "note")
    )
    for object_id, source_id, url, outlet, headline, published, kind, locator, note in rows:
        found[object_id].append(citation(ctx, source_id, url, outlet, headline, published, kind, locator, note))
    return found


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
    - `lookup`: "slug" or "pk", the stable identifier in both URLs.
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

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def model_name(self):
        return self.model._meta.model_name

    def annotations(self):
        """Related slugs, joined in, masked unless the reader may see the related record."""
        from django.db.models import Case, When

        out = {}
        for name, fk in self.foreign.items():
            target = self.model._meta.get_field(fk).related_model
            key = "slug" if hasattr(target, "slug") else "pk"
            out[f"_fk_{name}"] = Case(
                When(self.ctx.visible(f"{fk}__"), then=Cast(F(f"{fk}__{key}"), CharField())
                     if key == "pk" else F(f"{fk}__{key}")),
                default=Value(None), output_field=CharField(),
            )
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
        annotations = self.annotations()
        return queryset.annotate(**annotations).values(*self.value_names(), *annotations)

    def present(self, rows):
        """Turn fetched value dicts into response rows (a fixed number of queries)."""
        rows = list(rows)
        ids = [r["id"] for r in rows]
        links = self.many_slugs(ids)
        cites = citations_by_object(self.model_name, ids, self.ctx) if self.cited else {}
        extra = self.extra(rows)
        columns, transforms = self.columns(), self.transforms
        out = []
        for r in rows:
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
            for name in self.foreign:
                item[name] = r[f"_fk_{name}"]
            for name in self.many:
                item[name] = links[name].get(r["id"], [])
            self.decorate(item, r, extra)
            for name in self.trailer:
                item[name] = r[name]
            if self.cited:
                item["citations"] = cites.get(r["id"], [])
            out.append(item)
        return out

    def many_slugs(self, ids):
        """Return {output name: {id: [slugs]}} for every many-to-many field, in one UNION query."""
        result = {name: {} for name in self.many}
        if not ids or not self.many:
            return result
        parts = []
        for name, field_name in self.many.items():
            field = self.model._meta.get_field(field_name)
            through = field.remote_field.through
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            parts.append(
                through.objects.filter(self.ctx.visible(f"{target}__"), **{f"{source}_id__in": ids})
                .annotate(_rel=Value(name, output_field=CharField()))
                .values_list("_rel", f"{source}_id", f"{target}__slug")
            )
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for name, object_id, slug in query:
            result[name].setdefault(object_id, []).append(slug)
        for by_id in result.values():
            for slugs in by_id.values():
                slugs.sort()
        return result

    def extra(self, rows):
        """Fetch what the resource embeds beyond columns and links (override; fixed queries)."""
        return None

    def decorate(self, item, row, extra):
        """Add resource-specific keys to a row (override)."""
