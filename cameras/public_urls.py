from django.urls import path

from cameras import public_views
from incidents.views import IncidentFeed, incident_still

app_name = "public"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("sw.js", public_views.service_worker, name="service_worker"),
    path("luring/", public_views.offline, name="offline"),
    path("<str:code>/", public_views.government_page, name="government"),
    path("<str:code>/kamera.json", public_views.cameras_json, name="cameras_json"),
    path("<str:code>/peta/", public_views.map_page, name="map"),
    path("<str:code>/manifest.webmanifest", public_views.manifest, name="manifest"),
    path("<str:code>/kejadian.atom", IncidentFeed(), name="incident_feed"),
    path("<str:code>/kejadian/<int:pk>.jpg", incident_still, name="incident_still"),
    path(
        "<str:code>/kamera/<int:camera_id>/<int:still_id>.jpg",
        public_views.camera_still,
        name="camera_still",
    ),
]
