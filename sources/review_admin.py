"""The review queue in the admin: proposed links and suggested events, highest score first,
each with the matcher's explanation; approve, reject or reassign one or many at once.

Every decision goes through sources.linking, which records who made it and when.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from sources.models import LinkStatus, MatcherModel, ReportEventLink, ReviewDecision, SuggestedEvent, SuggestionStatus
from sources.sanitize import safe_link


def explanation_html(explanation):
    """Render a link's explanation as a short list a curator reads at a glance."""
    if not explanation:
        return ""
    rows = []
    entities = explanation.get("entities") or []
    if entities:
        rows.append(("names", ", ".join(entities)))
    if explanation.get("implied_entities"):
        rows.append(("implies", ", ".join(explanation["implied_entities"])))
    if "text_score" in explanation:
        rows.append(("text", f"{explanation['text_score']:.2f} (event {explanation.get('text_event', 0):.2f}, "
                             f"programs {explanation.get('text_programs', 0):.2f}, "
                             f"coverage {explanation.get('text_coverage', 0):.2f})"))
    if explanation.get("shared_terms"):
        rows.append(("shared words", ", ".join(explanation["shared_terms"])))
    days = explanation.get("date_days_outside")
    if "date_factor" in explanation:
        when = "no date" if days is None else "within the event's period" if days == 0 else (
            f"{days} days after" if days > 0 else f"{-days} days before")
        named = ", names a month of the event's period" if explanation.get("date_named") else ""
        change = ", reports a change" if explanation.get("reports_change") and days and days > 0 else ""
        rows.append(("date", f"{when}{named}{change} (\u00d7{explanation['date_factor']:.2f})"))
    if explanation.get("other_programs"):
        rows.append(("also names", ", ".join(explanation["other_programs"])))
    if explanation.get("model_version") is not None:
        rows.append(("model", f"matcher v{explanation['model_version']}: probability from the signals above "
                              f"(hand-weighted score {explanation.get('heuristic_score', 0):.2f})"))
    if explanation.get("decided") == "curator":
        rows.append(("decided", "by a curator"))
    # One wrapping paragraph, items separated by a middle dot: a row of the queue stays a few
    # lines high and as wide as its column (sources/static/sources/review_queue.css).
    return format_html("<p class='review-why'>{}</p>", format_html_join(
        " \u00b7 ", "<b>{}:</b> {}", rows))


class DatedEventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, event):
        return f"{event.title} ({event.date:%Y-%m-%d})" if event.date else event.title


class ReassignForm(forms.Form):
    """The event to move reports to, picked by typing part of its title, slug or summary (the
    admin's autocomplete, over the events admin's search fields)."""

    def __init__(self, *args, admin_site=admin.site, **kwargs):
        from timeline.models import Event

        super().__init__(*args, **kwargs)
        self.fields["event"] = DatedEventChoiceField(
            queryset=Event.objects.alive().order_by("-date", "title"),
            widget=AutocompleteSelect(ReportEventLink._meta.get_field("event"), admin_site),
            help_text="Type part of the event's title, slug or summary.")


class StatusFilter(admin.SimpleListFilter):
    """Defaults to the review queue (proposed links); curators can look at the rest."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("all", "All"), *LinkStatus.choices]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            selected = (self.value() or LinkStatus.PROPOSED) == value
            yield {"selected": selected, "query_string": changelist.get_query_string({self.parameter_name: value}),
                   "display": label}

    def queryset(self, request, queryset):
        value = self.value() or LinkStatus.PROPOSED
        if value == LinkStatus.PROPOSED:
            # Copies fold under their original: deciding its link decides theirs (ReportEventLink.objects.approve).
            return queryset.filter(status=value, report__duplicate_of__isnull=True)
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(ReportEventLink)
class ReportEventLinkAdmin(admin.ModelAdmin):
    list_display = ["score_display", "status", "report_display", "copies", "event", "explanation_display",
                    "is_primary", "model_version", "decided_by", "decided_at"]
    list_display_links = ["score_display"]
    list_filter = [StatusFilter, "model_version"]
    list_select_related = ["report", "event", "decided_by", "model_version"]
    search_fields = ["report__title", "event__title", "event__slug"]
    ordering = ["-score", "-id"]
    actions = ["approve", "reject", "reassign"]
    list_per_page = 50
    raw_id_fields = ["report", "event"]
    readonly_fields = ["report", "event", "score", "status", "is_primary", "explanation_display", "model_version",
                       "decided_by", "decided_at", "created_at", "updated_at"]
    fields = readonly_fields

    class Media:
        css = {"all": ["sources/review_queue.css"]}
        js = ["sources/review_queue.js"]   # keyboard bulk actions: j / k, x, a / r / e

    def has_add_permission(self, request):
        return False  # links come from matching or from a reassignment

    def get_list_display(self, request):
        """In the queue itself (proposed links) drop the columns that are the same on every row
        (status) or empty (who decided, when), so the explanation has the room."""
        if request.GET.get(StatusFilter.parameter_name, LinkStatus.PROPOSED) == LinkStatus.PROPOSED:
            return [name for name in self.list_display if name not in ("status", "decided_by", "decided_at")]
        return self.list_display

    @admin.display(description="score", ordering="score")
    def score_display(self, link):
        return f"{link.score:.2f}"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(copy_count=Count("report__copies", distinct=True))

    @admin.display(description="copies", ordering="copy_count")
    def copies(self, link):
        """How many later reports copy this one (folded here; a decision covers them too)."""
        return link.copy_count or ""

    @admin.display(description="report")
    def report_display(self, link):
        report = link.report
        title = Truncator(report.title or report.url or report.guid).chars(90)
        url = safe_link(report.url)
        if url:
            return format_html('<a href="{}" rel="nofollow noopener noreferrer">{}</a>', url, title)
        return title

    @admin.display(description="why")
    def explanation_display(self, link):
        return explanation_html(link.explanation)

    @admin.action(description="Approve the selected links", permissions=["change"])
    def approve(self, request, queryset):
        count = queryset.select_related(None).approve(request.user)
        self.message_user(request, f"{count} link(s) approved.")

    @admin.action(description="Reject the selected links (never proposed again)", permissions=["change"])
    def reject(self, request, queryset):
        count = queryset.select_related(None).reject(request.user)
        self.message_user(request, f"{count} link(s) rejected.")

    @admin.action(description="Reassign the selected reports to another event\u2026", permissions=["change"])
    def reassign(self, request, queryset):
        form = ReassignForm(request.POST if "apply" in request.POST else None, admin_site=self.admin_site)
        if "apply" in request.POST and form.is_valid():
            count = queryset.select_related(None).reassign(form.cleaned_data["event"], request.user)
            self.message_user(request, f"{count} report(s) reassigned to \u201c{form.cleaned_data['event']}\u201d.")
            return None
        if "apply" in request.POST:
            self.message_user(request, "Choose the event to reassign the reports to.", messages.ERROR)
        return TemplateResponse(request, "admin/sources/reassign_links.html", {
            **self.admin_site.each_context(request),
            "title": "Reassign reports to another event",
            "links": queryset.select_related("report", "event"),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        })


class SuggestionStatusFilter(StatusFilter):
    def lookups(self, request, model_admin):
        return [("all", "All"), *SuggestionStatus.choices]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or SuggestionStatus.OPEN) == value,
                   "query_string": changelist.get_query_string({self.parameter_name: value}), "display": label}

    def queryset(self, request, queryset):
        value = self.value() or SuggestionStatus.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(SuggestedEvent)
class SuggestedEventAdmin(admin.ModelAdmin):
    list_display = ["score_display", "title", "report_count", "entity_list", "first_published", "last_published",
                    "status", "decided_by", "decided_at"]
    list_display_links = ["title"]
    list_filter = [SuggestionStatusFilter]
    list_select_related = ["decided_by"]
    ordering = ["-score", "-id"]
    actions = ["create_events", "dismiss"]
    readonly_fields = ["score", "entities", "report_count", "first_published", "last_published", "status", "event",
                       "decided_by", "decided_at", "created_at", "report_titles"]
    fields = ["title", *readonly_fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="score", ordering="score")
    def score_display(self, suggestion):
        return f"{suggestion.score:.2f}"

    @admin.display(description="names")
    def entity_list(self, suggestion):
        return ", ".join(suggestion.entities)

    @admin.display(description="reports")
    def report_titles(self, suggestion):
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} ({})</li>", ((r.title, r.published.date()) for r in suggestion.reports.all()[:50])))

    @admin.action(description="Create draft events from the selected suggestions", permissions=["change"])
    def create_events(self, request, queryset):
        from django.utils.text import slugify

        from timeline.models import Event

        created = 0
        for suggestion in queryset.filter(status=SuggestionStatus.OPEN):
            base = slugify(suggestion.title)[:100] or f"suggested-{suggestion.pk}"
            slug, n = base, 1
            while Event.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            event = Event.objects.create(slug=slug, title=suggestion.title[:300],
                                         date=suggestion.first_published.date() if suggestion.first_published else None)
            suggestion.accept(event, request.user)
            created += 1
        self.message_user(request, f"{created} draft event(s) created; edit them before publishing.")

    @admin.action(description="Dismiss the selected suggestions", permissions=["change"])
    def dismiss(self, request, queryset):
        count = queryset.dismiss(request.user)
        self.message_user(request, f"{count} suggestion(s) dismissed.")


@admin.register(MatcherModel)
class MatcherModelAdmin(admin.ModelAdmin):
    """The learned matcher's versions: what each was fitted from, its cross-validated figures,
    its weights; making an earlier version active rolls back (new links are decided by it)."""

    list_display = ["__str__", "is_active", "fitted_at", "fitted_by", "examples", "curator_decisions",
                    "target_precision", "cv_precision", "cv_recall", "cv_review_recall", "thresholds"]
    ordering = ["-pk"]
    actions = ["make_active"]
    readonly_fields = ["is_active", "fitted_at", "fitted_by", "examples", "curator_decisions", "target_precision",
                       "cv_precision", "cv_recall", "cv_review_recall", "thresholds", "weights"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # versions come from manage.py fit_matcher

    def has_delete_permission(self, request, obj=None):
        return False  # links name the version that decided them

    @admin.display(description="thresholds (attach / propose)")
    def thresholds(self, version):
        return f"{version.parameters['attach_threshold']:.3f} / {version.parameters['propose_threshold']:.3f}"

    @admin.display(description="weights (standardised features, strongest first)")
    def weights(self, version):
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}: {}</li>", ((name, f"{weight:+.3f}") for name, weight in version.learned().describe())))

    @admin.action(description="Make the selected version the active one (roll back or forward)",
                  permissions=["change"])
    def make_active(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose exactly one version to make active.", messages.ERROR)
            return
        chosen[0].activate()
        self.message_user(request, f"{chosen[0]} now decides new links.")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(admin.ModelAdmin):
    """The record of curators' decisions: read only."""

    list_display = ["decided_at", "action", "decided_by", "report", "event", "previous_event", "suggestion"]
    list_filter = ["action"]
    list_select_related = ["decided_by", "report", "event", "previous_event", "suggestion"]
    ordering = ["-decided_at", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
