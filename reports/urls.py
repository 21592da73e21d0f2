from datetime import date

from django.urls import path, register_converter

from reports import views

# Exports cover days of the product's life; year 1 or 9999 is a probe, not a report (404).
FIRST_YEAR, LAST_YEAR = 2000, 2099


class ReportDateConverter:
    """YYYY-MM-DD → date; an impossible date (2026-02-30) does not match (404)."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        day = date.fromisoformat(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(value)
        return day

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


class ReportMonthConverter:
    """YYYY-MM → (year, month)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> tuple[int, int]:
        year, month = (int(part) for part in value.split("-"))
        if not 1 <= month <= 12 or not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)
        return year, month

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
