from datetime import date

from django.urls import path, register_converter

from reports import views


class ReportDateConverter:
    """YYYY-MM-DD, passed on as text: the view refuses an impossible or future date with a
    clear message (rather than a bare 404)."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


class ReportMonthConverter:
    """YYYY-MM, passed on as text (see ReportDateConverter)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: tuple[int, int] | str) -> str:
        if isinstance(value, tuple):
            return f"{value[0]:04d}-{value[1]:02d}"
        return str(value)


register_converter(ReportDateConverter, "report_date")
register_converter(ReportMonthConverter, "report_month")

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("harian/<report_date:day>.xlsx", views.daily_xlsx, name="daily_xlsx"),
    path("harian/<report_date:day>.csv", views.daily_csv, name="daily_csv"),
    path("bulanan/<report_month:month>.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
    path("bulanan/<report_month:month>.csv", views.monthly_csv, name="monthly_csv"),
    path("arsip/<int:pk>/", views.report_download, name="report_download"),
]
