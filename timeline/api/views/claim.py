"""/api/v1/claims/: what each source says about a fact, with disagreements marked (read-only)."""
from timeline.api.filters import ClaimFilterSet
from timeline.api.serializers.claim import ClaimPresenter, ClaimSchema
from timeline.api.views.base import ResourceViewSet, document
from timeline.models import Claim


@document
class ClaimViewSet(ResourceViewSet):
    model = Claim
    queryset = Claim.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = ClaimPresenter
    serializer_class = ClaimSchema
    filterset_class = ClaimFilterSet
    ordering_fields = ("id", "modified_at", "created_at")
    default_ordering = "id"
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        """Visible claims, each annotated `in_conflict` (Claim.objects.with_conflicts())."""
        return Claim.objects.visible_to(self.request.user).with_conflicts()
