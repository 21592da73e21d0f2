from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cameras.api.public import PublicCameraViewSet
from cameras.api.views import CameraViewSet
from complaints.api.views import ComplaintViewSet
from compliance.api import views as compliance_views
from compliance.api.observations import ObservationViewSet
from incidents.api.views import IncidentViewSet, PublicIncidentViewSet
from kelurahan_monitor.api.health import health
from reports.api.views import ReportViewSet

router = DefaultRouter()
router.register("kecamatan", compliance_views.KecamatanViewSet, basename="kecamatan")
router.register("offices", compliance_views.OfficeViewSet, basename="office")
router.register("opening-hours", compliance_views.OpeningHoursViewSet, basename="openinghours")
router.register("holidays", compliance_views.HolidayViewSet, basename="holiday")
router.register("excuses", compliance_views.ExcuseViewSet, basename="excuse")
router.register("verdicts", compliance_views.VerdictViewSet, basename="verdict")
router.register("cameras", CameraViewSet, basename="camera")
router.register("observations", ObservationViewSet, basename="observation")
router.register("audit-log", compliance_views.AuditLogViewSet, basename="auditlog")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("reports", ReportViewSet, basename="report")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("public/incidents", PublicIncidentViewSet, basename="public-incident")
router.register("public/cameras", PublicCameraViewSet, basename="public-camera")

app_name = "api"
urlpatterns = [
    path("health/", health, name="health"),
    path("agent/", include("agents.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
