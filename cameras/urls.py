from django.urls import path

from cameras import views

app_name = "cameras"
urlpatterns = [
    path("", views.wall, name="wall"),
    path("petak/", views.wall_partial, name="wall_partial"),
    path("kamera/<int:camera_id>/", views.camera_detail, name="camera_detail"),
    path("kamera/<int:camera_id>/gambar/<int:still_id>.jpg", views.wall_still, name="wall_still"),
]
