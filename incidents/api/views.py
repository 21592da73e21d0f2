import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.api.serializers import IncidentSerializer, PublicIncidentSerializer
from incidents.models import Incident
from kelurahan_monitor import roles
from places.models import LocalGovernment


class ReadStaffWriteOperators(BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_staff_reader(request.user)
        return roles.can_post_incidents(request.user)


class IncidentViewSet(viewsets.ModelViewSet):
    """Incident posts of the user's government. DELETE takes a post off the public page and
    keeps it (and its audit trail); every write is audited."""

    serializer_class = IncidentSerializer
    permission_classes = [ReadStaffWriteOperators]
    filterset_fields = ["kind", "severity"]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        return selectors.staff_incidents(self.request.user)

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.government = roles.acting_government(request.user)
        # An operator account must belong to a government before it may write anything.
        if request.method not in SAFE_METHODS and self.government is None:
            raise PermissionDenied("no local government for this account")

    def get_serializer_context(self) -> dict:
        # Schema generation builds serializers without a request cycle, hence the default.
        return {**super().get_serializer_context(), "government": getattr(self, "government", None)}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        incident = Incident(local_government=self.government, **serializer.validated_data)
        services.post_incident(incident, self.request.user, roles.client_ip(self.request))
        serializer.instance = incident

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        incident = serializer.instance
        assert incident is not None  # noqa: S101 - updates always carry get_object()
        if incident.removed_at is not None:
            raise PermissionDenied("a removed post cannot be changed")
        before = services.snapshot(incident)
        for name, value in serializer.validated_data.items():
            setattr(incident, name, value)
        services.update_incident(incident, before, self.request.user, roles.client_ip(self.request))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        incident = self.get_object()
        services.remove_incident(incident, request.user, timezone.now(), roles.client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicIncidentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Active incident posts of one local government, for anyone (no login)."""

    serializer_class = PublicIncidentSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("pemda", str, required=True, description="Kemendagri code, e.g. 74.02")
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    queryset = Incident.objects.none()  # the schema's model; get_queryset() is per request

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        code = self.request.query_params.get("pemda", "")
        if not code:
            raise ValidationError({"pemda": "required: the Kemendagri code, e.g. 74.02"})
        government = get_object_or_404(LocalGovernment, code=code)
        return selectors.active_incidents(government, timezone.now()).select_related(
            "local_government"
        )
