"""Operators' incident pages (staff) and the public Atom feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incidents import selectors, services
from incidents.forms import IncidentForm
from incidents.models import Incident
from kelurahan_monitor import roles
from kelurahan_monitor.files import jpeg_response
from places.models import LocalGovernment


def _government_of(request: HttpRequest) -> LocalGovernment:
    government = roles.acting_government(request.user)
    if government is None:
        raise PermissionDenied
    return government


@login_required
@require_http_methods(["GET", "POST"])
def incident_list(request: HttpRequest) -> HttpResponse:
    if not roles.is_staff_reader(request.user):
        raise Http404
    can_post = roles.can_post_incidents(request.user)
    form = None
    if can_post:
        government = _government_of(request)
        form = IncidentForm(
            request.POST if request.method == "POST" else None, government=government
        )
        if request.method == "POST" and form.is_valid():
            incident = services.post_incident(
                form.save(commit=False), request.user, roles.client_ip(request)
            )
            messages.success(
                request, _("Kejadian diterbitkan: %(title)s") % {"title": incident.title}
            )
            return redirect("incidents:list")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "incidents/incident_list.html",
        {
            "incidents": selectors.staff_incidents(request.user)[:200],
            "form": form,
            "now": timezone.now(),
            "nav": "incidents",
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _editable(request: HttpRequest, pk: int) -> Incident:
    if not roles.can_post_incidents(request.user):
        raise Http404
    return get_object_or_404(selectors.staff_incidents(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _editable(request, pk)
    if incident.removed_at is not None:
        raise Http404
    before = services.snapshot(incident)
    form = IncidentForm(
        request.POST if request.method == "POST" else None,
        instance=incident,
        government=incident.local_government,
    )
    if request.method == "POST" and form.is_valid():
        services.update_incident(
            form.save(commit=False), before, request.user, roles.client_ip(request)
        )
        messages.success(request, _("Kejadian diperbarui."))
        return redirect("incidents:list")
    return render(
        request,
        "incidents/incident_edit.html",
        {"form": form, "incident": incident, "nav": "incidents"},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def incident_remove(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _editable(request, pk)
    if services.remove_incident(incident, request.user, timezone.now(), roles.client_ip(request)):
        messages.success(request, _("Kejadian dihapus dari halaman publik."))
    return redirect("incidents:list")


class IncidentFeed(Feed):
    """Active incident posts of one government as Atom (for feed readers and other sites)."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, code: str) -> LocalGovernment:
        return get_object_or_404(LocalGovernment, code=code)

    def title(self, government: LocalGovernment) -> str:
        return _("Informasi kejadian %(government)s") % {"government": government}

    def subtitle(self, government: LocalGovernment) -> str:
        return _("Banjir, macet, kecelakaan, kebakaran dan kejadian lain dari pusat komando.")

    def link(self, government: LocalGovernment) -> str:
        return reverse("public:government", args=[government.code])

    def items(self, government: LocalGovernment):
        # The clock is read here: one Feed instance serves every request (and thread).
        return selectors.active_incidents(government, timezone.now())[:50]

    def item_title(self, incident: Incident) -> str:
        return f"[{incident.get_kind_display()}] {incident.title}"

    def item_description(self, incident: Incident) -> str:
        until = date_format(timezone.localtime(incident.expires_at), "j F Y H:i")
        lines = [
            _("Tempat: %(place)s") % {"place": incident.place},
            _("Tingkat: %(severity)s") % {"severity": incident.get_severity_display()},
            _("Berlaku sampai %(until)s %(zone)s")
            % {"until": until, "zone": timezone.localtime().strftime("%Z")},
        ]
        if incident.description:
            lines.append(incident.description)
        return "\n".join(lines)

    def item_link(self, incident: Incident) -> str:
        return (
            reverse("public:government", args=[incident.local_government.code])
            + f"#kejadian-{incident.pk}"
        )

    def item_guid(self, incident: Incident) -> str:
        return f"kejadian-{incident.local_government.code}-{incident.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, incident: Incident):
        return incident.starts_at

    def item_updateddate(self, incident: Incident):
        return incident.updated_at

    def item_categories(self, incident: Incident):
        return [incident.kind, incident.severity]


def incident_still(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """The fully blurred camera picture of a post, while the post is on the public page."""
    government = get_object_or_404(LocalGovernment, code=code)
    incident = (
        selectors.active_incidents(government, timezone.now())
        .filter(pk=pk)
        .exclude(still="")
        .first()
    )
    if incident is None:
        raise Http404
    return jpeg_response(incident.still, "public, max-age=300")
