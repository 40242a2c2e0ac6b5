"""/api/v1/claims/: what each source says about a fact, with disagreements marked; curators write."""
from timeline.api.filters import ClaimFilterSet
from timeline.api.serializers.claim import ClaimPresenter, ClaimSchema, ClaimWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Claim


@document
class ClaimViewSet(EditableResourceViewSet):
    model = Claim
    queryset = Claim.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = ClaimPresenter
    serializer_class = ClaimSchema
    write_serializer_class = ClaimWriteSerializer
    filterset_class = ClaimFilterSet
    ordering_fields = ("id", "modified_at", "created_at")
    default_ordering = "id"
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        """Visible claims, each annotated `in_conflict` against the claims this reader sees."""
        return super().get_queryset().with_conflicts(self.request.user)

    def written_rows(self):
        return Claim.objects.with_conflicts(self.request.user)
