import pytest
from django.utils import translation

from compliance.models import VerdictStatus


@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "Tepat waktu"), ("en", "On time")],
)
def test_status_labels_speak_indonesian_first_and_english(language, expected):
    with translation.override(language):
        assert str(VerdictStatus.ON_TIME.label) == expected


def test_every_message_has_an_english_translation():
    from pathlib import Path

    po = (
        Path(__file__).resolve().parent.parent / "kelurahan_monitor/locale/en/LC_MESSAGES/django.po"
    )
    text = po.read_text(encoding="utf-8")
    blocks = text.split("\n\n")[1:]
    untranslated = [
        block
        for block in blocks
        # The last line is the (last plural) msgstr: empty means untranslated.
        if block.splitlines()[-1].endswith(' ""') or "#, fuzzy" in block
    ]
    assert not untranslated, untranslated[:3]
