from django.urls import path, register_converter

from compliance import views


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


class IsoMonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(IsoDateConverter, "isodate")
register_converter(IsoMonthConverter, "isomonth")

app_name = "compliance"
urlpatterns = [
    path("", views.board, name="board"),
    path("papan/bagian/", views.board_partial, name="board_partial"),
    path("hari/<isodate:day>/", views.day_board, name="day"),
    path("minggu/<isodate:day>/", views.week, name="week"),
    path("bulan/<isomonth:month>/", views.month, name="month"),
    path("peringkat/", views.rankings, name="rankings"),
    path("kantor/<str:code>/", views.office, name="office"),
    path("bukti/<int:observation_id>.jpg", views.evidence_image, name="evidence_image"),
]
