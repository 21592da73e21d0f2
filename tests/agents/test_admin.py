"""Diskominfo creates an office's agent in the admin, gets its code, revokes or retires it."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from agents import services
from agents.models import Agent
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db


def test_the_admin_hands_out_a_one_time_code_that_enrols_the_box(
    client, role_users, kendari, django_user_model
):
    from places.models import Office

    office = Office.objects.get(code="74.71.01.1005")
    CameraFactory(office=office)
    agent = Agent.objects.create(office=office)
    admin_user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:agents_agent_changelist"),
        {"action": "issue_code", "_selected_action": [agent.pk]},
        follow=True,
    )
    message = next(str(m) for m in response.context["messages"])
    code = re.search(r"([0-9A-F]{4}-){3}[0-9A-F]{4}", message).group(0)
    answer = client.post("/api/v1/agent/enrol/", {"code": code}, content_type="application/json")
    assert answer.status_code == 200
    client.post(
        reverse("admin:agents_agent_changelist"),
        {"action": "revoke", "_selected_action": [agent.pk]},
    )
    assert services.agent_for_token(answer.json()["token"]) is None


def test_staff_of_another_government_do_not_see_the_agent(client, kendari, make_role_user):
    from places.models import LocalGovernment, Office

    office = Office.objects.get(code="74.71.01.1005")
    Agent.objects.create(office=office, name="kotak-kendari")
    other = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    outsider = make_role_user("Diskominfo", other, username="diskominfo.konawe")
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(Permission.objects.get(codename="view_agent"))
    client.force_login(outsider)
    page = client.get(reverse("admin:agents_agent_changelist"))
    assert page.status_code == 200
    assert "kotak-kendari" not in page.content.decode()
    insider = make_role_user("Diskominfo", kendari, username="diskominfo.kendari")
    insider.is_staff = True
    insider.save()
    insider.user_permissions.add(Permission.objects.get(codename="view_agent"))
    client.force_login(insider)
    assert "kotak-kendari" in client.get(reverse("admin:agents_agent_changelist")).content.decode()
