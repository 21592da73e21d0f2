"""Property-based fuzzing of the whole API from its OpenAPI schema: no server errors and no
response that breaks the schema, ever, for a token of Diskominfo (the role with the most write
access) and for anonymous callers.

Schemathesis generates valid and invalid requests for every operation of the schema; each must
answer below 500 and, for every documented status, with a body the schema describes. Requests
run in-process (WSGI) against the seeded 65 Kendari offices; the example count per operation
keeps the run to a few minutes.
"""

import logging

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.failures import FailureGroup

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES_PER_OPERATION = 12
logger = logging.getLogger(__name__)


def _failure_summary(case: schemathesis.Case, status: int, error: Exception) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{case.method} {case.operation.path} -> {status}: {first_line[:200]}"


def _rows_with_empty_values() -> None:
    """Rows whose optional values are empty, as most real ones are (an unassigned complaint, a
    verdict nobody corrected): their responses must match the schema too."""
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from complaints.models import Complaint
    from compliance.models import DailyVerdict
    from places.models import Office

    office = Office.objects.get(code="74.71.01.1005")
    day = date(2026, 11, 24)
    DailyVerdict.objects.create(office=office, date=day, status="late", minutes_late=12)
    Complaint.objects.create(
        tracking_code="FUZZ0001",
        office=office,
        visited_at=datetime(2026, 11, 24, 8, 30, tzinfo=ZoneInfo("Asia/Makassar")),
        kind="closed",
        description="Pintu masih terkunci.",
        received_on=day,
        forward_due=day + timedelta(days=1),
        answer_due=day + timedelta(days=5),
    )


@pytest.mark.parametrize("caller", ["diskominfo", "anonymous"])
def test_no_operation_fails_or_breaks_the_schema(role_users, caller, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    _rows_with_empty_values()
    headers: dict[str, str] = {}
    if caller != "anonymous":
        token, _ = Token.objects.get_or_create(user=role_users[caller])
        headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    failures: set[str] = set()
    operations = calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            # Health answers 503 by design while no worker runs; anything else is a bug.
            if case.operation.path == "/api/v1/health/" and response.status_code == 503:
                return
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except (FailureGroup, AssertionError) as error:  # record, keep going
                failures.add(_failure_summary(case, response.status_code, error))

        call()
    logger.info(
        "schemathesis %s: %s operations, %s calls, %s failures",
        caller,
        operations,
        calls,
        len(failures),
    )
    assert operations >= 20
    assert not failures, "\n".join(sorted(failures))
