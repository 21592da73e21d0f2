from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("<int:pk>/ubah/", views.incident_edit, name="edit"),
    path("<int:pk>/hapus/", views.incident_remove, name="remove"),
]
