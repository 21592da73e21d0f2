"""One vocabulary: the models, the domain and the report rows say what places.vocabulary says."""

import pytest
from django.utils import translation

from cameras.models import HealthState
from compliance.domain import VerdictKind
from compliance.domain.ranking import JUDGED_STATUSES
from compliance.models import VerdictStatus
from places import vocabulary
from reports import rows


def test_model_choices_are_the_vocabulary_in_its_order():
    assert list(VerdictStatus.values) == [s.value for s in vocabulary.VERDICT_ORDER]
    assert list(HealthState.values) == [s.value for s in vocabulary.CameraHealth]


@pytest.mark.parametrize("language", ["id", "en"])
def test_model_labels_are_the_vocabularys_words(language):
    with translation.override(language):
        for status, term in vocabulary.VERDICT_TERMS.items():
            assert str(VerdictStatus(status.value).label) == getattr(term, language)
        for health, term in vocabulary.CAMERA_HEALTH_TERMS.items():
            assert str(HealthState(health.value).label) == getattr(term, language)


def test_domain_and_rows_use_the_same_statuses_and_judged_set():
    assert VerdictKind is vocabulary.VerdictStatus
    assert set(JUDGED_STATUSES) == rows.JUDGED_STATUSES == {s.value for s in vocabulary.JUDGED}
    assert rows.zone_label("Asia/Jayapura") == vocabulary.zone_label("Asia/Jayapura") == "WIT"


def test_an_address_list_is_split_and_cleaned_once():
    assert vocabulary.email_list(" a@x.id, ,b@y.id ") == ["a@x.id", "b@y.id"]
    assert vocabulary.email_list(None) == []
