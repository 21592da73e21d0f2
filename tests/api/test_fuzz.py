"""Property-based fuzzing of the whole API from its OpenAPI schema: no server errors, ever.

Schemathesis generates valid and invalid requests for every operation of the schema; each must
answer below 500. Requests run in-process (WSGI) as Diskominfo, the role with the most write
access, against the seeded 65 Kendari offices.
"""

import logging

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES_PER_OPERATION = 12


def test_no_operation_ever_fails_with_a_server_error(role_users, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    token, _ = Token.objects.get_or_create(user=role_users["diskominfo"])
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    failures: list[str] = []
    operations = 0
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
            response = case.call(headers=headers)
            # Health answers 503 by design while no worker runs; anything else is a bug.
            expected_503 = case.formatted_path == "/api/v1/health/" and response.status_code == 503
            if response.status_code >= 500 and not expected_503:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        call()
    assert operations >= 20
    assert not failures, "\n".join(sorted(set(failures)))
