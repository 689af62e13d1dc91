"""Schemathesis over the whole API, in-process: no generated request gets a server error, and
every answer is one the OpenAPI document describes (status code, content type, body).

A fixed seed and a small budget per operation keep it a regression test for every run;
`make fuzz` runs a longer one, with every check and phase, against a running server.
"""

from collections.abc import AsyncIterator

{% if cookiecutter.use_auth -%}
import httpx2
{% endif -%}
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
{%- if cookiecutter.use_auth %}
from sqlalchemy import update
{%- endif %}
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import app as documented_app
from {{ cookiecutter.package_name }}.main import create_app
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.user import User
{%- endif %}
from tests.conftest import empty_tables
{%- if cookiecutter.use_auth %}
from tests.factories import PASSWORD, register_user
{%- endif %}

SEED = 20261202
# Generated examples per operation in the fuzzing phase (the examples and coverage phases add
# their own, a few dozen at most).
EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

config = schemathesis.Config(seed=SEED)
# No example database: with the seed fixed, every run sends the same requests.
config.projects.default.generation.update(
    max_examples=EXAMPLES_PER_OPERATION, database="none", no_shrink=True
)
schema = schemathesis.openapi.from_dict(documented_app.openapi(), config=config)


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings) -> FastAPI:
    """An app of its own: schemathesis drives it from its own event-loop thread, where the
    connections of the shared `app` fixture (opened on the tests' loop) cannot be used."""
    return create_app(settings)


@pytest.fixture
async def fuzzed_app(fuzz_app: FastAPI, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The app, for one operation's examples; every table is emptied after them."""
    yield fuzz_app
    await empty_tables(engine)
{%- if cookiecutter.use_auth %}


SESSION_ENDING = {"/api/v1/auth/logout", "/api/v1/auth/logout-all"}


class Admin:
    """An admin's bearer headers, from a login through the fuzzed app itself."""

    def __init__(self, app: FastAPI, email: str) -> None:
        self.app = app
        self.email = email
        self.headers: dict[str, str] = {}
        self.log_in()

    def log_in(self) -> None:
        response = (
            schema["/api/v1/auth/login"]["POST"]
            .Case(
                body={"username": self.email, "password": PASSWORD},
                media_type="application/x-www-form-urlencoded",
            )
            .call(app=self.app)
        )
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def admin(client: httpx2.AsyncClient, session_factory, fuzzed_app: FastAPI) -> Admin:
    """A registered user promoted to admin, so that every route is fuzzed past its checks."""
    user = await register_user(client)
    async with session_factory() as session:
        await session.execute(update(User).where(User.id == user["id"]).values(role="admin"))
        await session.commit()
    return Admin(fuzzed_app, user["email"])


@schema.parametrize()
# One admin per operation, shared by its examples as by one client's requests: on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_every_generated_request_as_documented(
    case: Case, fuzzed_app: FastAPI, admin: Admin
) -> None:
    """No generated request gets a 5xx, and every answer matches the OpenAPI document."""
    response = case.call_and_validate(app=fuzzed_app, headers=admin.headers, checks=CHECKS)
    if case.operation.path in SESSION_ENDING and response.status_code == 204:
        admin.log_in()  # the example just ended the admin's session
{%- else %}


@schema.parametrize()
# One app per operation, shared by its examples as by one client's requests: on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_every_generated_request_as_documented(case: Case, fuzzed_app: FastAPI) -> None:
    """No generated request gets a 5xx, and every answer matches the OpenAPI document."""
    case.call_and_validate(app=fuzzed_app, checks=CHECKS)
{%- endif %}
