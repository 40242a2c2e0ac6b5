"""/api/v1/contracts/: read for everyone, create and edit for curators."""
from timeline.api.filters import ContractFilterSet
from timeline.api.serializers.contract import ContractPresenter, ContractSchema, ContractWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Contract


@document
class ContractViewSet(EditableResourceViewSet):
    model = Contract
    queryset = Contract.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = ContractPresenter
    serializer_class = ContractSchema
    write_serializer_class = ContractWriteSerializer
    filterset_class = ContractFilterSet
    ordering_fields = ("announced", "start", "end", "modified_at", "created_at")
    default_ordering = "-announced"
