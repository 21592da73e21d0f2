from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from kelurahan_monitor import views
from kelurahan_monitor.auth_views import ThrottledLoginView

urlpatterns = [
    path("healthz", views.liveness, name="liveness"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("kelurahan_monitor.api.urls")),
    # Open311 GeoReport v2: machine clients, no language prefix.
    path("open311/v2/", include("complaints.open311_urls")),
]
urlpatterns += i18n_patterns(
    # One throttled login for the whole site, the admin included.
    path("admin/login/", views.admin_login_redirect),
    # The tenancy models moved from compliance to places: old admin bookmarks still work.
    re_path(
        r"^admin/compliance/(?P<rest>(localgovernment|kecamatan|office|openinghours|specialperiod"
        r"|specialperiodhours|holiday|excuse|staffprofile|auditlogentry)/.*)$",
        RedirectView.as_view(url="/admin/places/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("laporan/", include("reports.urls")),
    path("pengaduan/", include("complaints.urls")),
    path("pusat-komando/", include("cameras.urls")),
    path("kejadian/", include("incidents.urls")),
    path("publik/", include("cameras.public_urls")),
    # Anonymous visitors get the public landing, staff the board (compliance:board).
    path("", views.home, name="home"),
    path("", include("compliance.urls")),
    prefix_default_language=False,
)

handler404 = "kelurahan_monitor.errors.page_not_found"
handler403 = "kelurahan_monitor.errors.permission_denied"
handler500 = "kelurahan_monitor.errors.server_error"
