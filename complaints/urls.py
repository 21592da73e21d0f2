from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_form, name="new"),
    path("lacak/", views.track, name="track"),
    path("lacak/<str:code>/", views.status_page, name="status"),
    path("transparansi/", views.transparency, name="transparency"),
    path("staf/", views.staff_list, name="staff_list"),
    path("staf/<str:code>/", views.staff_detail, name="staff_detail"),
    path("staf/<str:code>/foto.jpg", views.staff_photo, name="staff_photo"),
]
