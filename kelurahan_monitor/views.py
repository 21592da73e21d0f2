from urllib.parse import urlencode

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from cameras.selectors import public_governments
from complaints.selectors import transparency
from compliance import views as compliance_views
from incidents.selectors import active_incidents
from places.models import LocalGovernment

LANDING_WEEK_DAYS = 7


@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process serves and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def admin_login_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """The admin logs in through the site's throttled login, keeping where it was going."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': target})}")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The site root: staff get today's board, everyone else the public landing page."""
    if request.user.is_authenticated:
        return compliance_views.board(request)
    return landing(request)


def landing(request: HttpRequest) -> HttpResponse:
    """Ways in for a citizen: file or track a complaint, how offices did this week, public
    cameras and incidents, and the staff login one click away."""
    now = timezone.now()
    with_cameras = {government.pk for government in public_governments()}
    governments = [
        {
            "government": government,
            "has_cameras": government.pk in with_cameras,
            "incidents": active_incidents(government, now).count(),
        }
        for government in LocalGovernment.objects.order_by("name")
    ]
    week = transparency(timezone.localdate(), days=LANDING_WEEK_DAYS)
    return render(
        request,
        "landing.html",
        {"nav": "home", "governments": governments, "week": week},
    )
