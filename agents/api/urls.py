from django.urls import path

from agents.api import views

app_name = "agent"
urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("config/", views.configuration, name="config"),
    path("heartbeat/", views.heartbeat, name="heartbeat"),
    path("batches/", views.upload, name="upload"),
]
