"""Bahasa Indonesia first, English second: every complaint message has an English translation."""

from pathlib import Path

import pytest
from django.utils import translation

from complaints.models import ComplaintStatus

PO = Path(__file__).resolve().parents[2] / "complaints/locale/en/LC_MESSAGES/django.po"


def test_every_complaint_message_has_an_english_translation():
    blocks = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [
        block
        for block in blocks
        if block.splitlines()[-1] in ('msgstr ""', 'msgstr[1] ""') and not block.startswith("#~")
    ]
    assert not untranslated, untranslated[:3]


@pytest.mark.parametrize(
    ("language", "expected"), [("id", "Diteruskan ke kantor"), ("en", "Forwarded to the office")]
)
def test_status_labels_in_both_languages(language, expected):
    with translation.override(language):
        assert str(ComplaintStatus.FORWARDED.label) == expected


@pytest.mark.django_db
def test_english_pages_are_translated(client, office):
    html = client.get("/en/pengaduan/").content.decode()
    assert "Send complaint" in html
    assert "Kirim pengaduan" not in html
    with translation.override("en"):
        from complaints.open311 import service_list

        assert service_list()[0]["service_name"] == "Office closed"
