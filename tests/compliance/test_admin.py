from datetime import date

import pytest

from compliance.models import DailyVerdict, VerdictChange
from places.models import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def verdict(kendari) -> DailyVerdict:
    office = Office.objects.get(code="74.71.01.1005")
    return DailyVerdict.objects.create(office=office, date=date(2026, 11, 24), status="late")


def test_admin_override_needs_a_reason_and_is_audited(client, verdict):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    url = f"/admin/compliance/dailyverdict/{verdict.pk}/change/"
    refused = client.post(url, {"override_status": "excused", "override_reason": ""})
    assert refused.status_code == 200
    assert "alasan" in refused.content.decode()
    assert not VerdictChange.objects.exists()
    saved = client.post(url, {"override_status": "excused", "override_reason": "Banjir"})
    assert saved.status_code == 302
    verdict.refresh_from_db()
    assert verdict.effective_status == "excused"
    assert VerdictChange.objects.get().reason == "Banjir"
