"""The records' API: watches' health for staff, awards' ids and figures for everyone."""
from rest_framework import permissions, routers, serializers, viewsets

from records.models import AwardRecord, AwardWatch, RegisterWatch

HEALTH = ["id", "name", "enabled", "health", "last_synced_at", "last_success_at", "last_status", "last_error",
          "last_warning", "last_summary", "consecutive_failures", "next_sync_at"]


class AwardWatchSerializer(serializers.ModelSerializer):
    health = serializers.CharField(read_only=True)

    class Meta:
        model = AwardWatch
        fields = [*HEALTH, "awarding_agency", "awarding_subagency", "recipient", "modified_since"]
        read_only_fields = fields


class RegisterWatchSerializer(serializers.ModelSerializer):
    health = serializers.CharField(read_only=True)

    class Meta:
        model = RegisterWatch
        fields = [*HEALTH, "agencies", "terms", "published_since"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    contract = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    usaspending_url = serializers.URLField(read_only=True)

    class Meta:
        model = AwardRecord
        fields = ["generated_award_id", "piid", "contract", "usaspending_url", "last_modified", "figures",
                  "match_status"]
        read_only_fields = fields


class AwardWatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Award watches and their health (staff only)."""

    queryset = AwardWatch.objects.order_by("id")
    serializer_class = AwardWatchSerializer
    permission_classes = [permissions.IsAdminUser]


class RegisterWatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Federal Register watches and their health (staff only)."""

    queryset = RegisterWatch.objects.order_by("id")
    serializer_class = RegisterWatchSerializer
    permission_classes = [permissions.IsAdminUser]


class AwardViewSet(viewsets.ReadOnlyModelViewSet):
    """Synced awards of public contracts: ids, USAspending page and figures (public)."""

    serializer_class = AwardSerializer
    lookup_field = "generated_award_id"
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        # Only awards of published contracts whose figures are not waiting for a curator.
        return (AwardRecord.objects.filter(contract__state="published", contract__deleted_at__isnull=True)
                .exclude(match_status="proposed").select_related("contract").order_by("id"))


router = routers.DefaultRouter()
router.register("award-watches", AwardWatchViewSet, basename="award-watch")
router.register("register-watches", RegisterWatchViewSet, basename="register-watch")
router.register("awards", AwardViewSet, basename="award")
urlpatterns = router.urls
