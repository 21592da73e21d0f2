from django.urls import path

from complaints import open311

app_name = "open311"
urlpatterns = [
    path("services.json", open311.services_json, name="services"),
    path("requests.json", open311.requests_json, name="requests"),
    path("requests/<str:request_id>.json", open311.request_detail_json, name="request_detail"),
]
