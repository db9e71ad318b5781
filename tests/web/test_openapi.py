"""The JSON API against its own OpenAPI schema, with schemathesis: requests generated from
the schema, sent with valid seat tokens of every kind; no answer is a server error and
every answer fits the schema the API publishes (errors included)."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.web.play import API
from tests.web.server import Server

SEATS = ("control", "team:usa", "observer")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("openapi") / "whitecell.db").start()
    account = server.control()
    created = account.post(f"{API}/games", json={"scenario": "ukraine-ceasefire-2025"}).json()
    tokens = {link["seat"]: link["token"] for link in created["links"]}
    yield server, created["game"], tokens
    server.stop()


def operations(server: Server) -> list:
    schema = schemathesis.openapi.from_dict(server.app.openapi())
    schema = schema.include(path_regex=r"^/api/v1/").exclude(path_regex=r"/stream$")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("seat", SEATS)
def test_no_server_error_and_every_answer_fits_the_schema(world, seat):
    server, game, tokens = world
    headers = {"Authorization": f"Bearer {tokens[seat]}"}
    checks = [schemathesis.checks.not_a_server_error, response_schema_conformance]
    found = operations(server)
    assert len(found) >= 8  # the API's operations, streams aside

    for operation in found:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            if case.path_parameters and "game" in case.path_parameters:
                case.path_parameters["game"] = game  # mostly the real game, to get past 404
            case.call_and_validate(
                base_url=server.url,
                headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
                checks=checks,
            )

        call()


def test_the_published_error_shape_is_strict_enough_to_catch_another(world):
    import jsonschema

    server, _, _ = world
    raw = server.app.openapi()
    error = raw["components"]["schemas"]["Error"]
    jsonschema.validate({"error": {"code": "x", "message": "y"}}, error)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"detail": [{"loc": ["body"], "msg": "bad"}]}, error)  # FastAPI's
    commands = raw["paths"][f"{API}/games/{{game}}/commands"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(commands)


def test_the_studio_answers_the_control_account_within_its_schema(world):
    """The studio's operations, signed in as the control account (the seats above are
    refused them): generated requests get no server error and answers fit the schema."""
    server, _, _ = world
    account = server.control()
    made = account.post(f"{API}/scenarios", json={"from": "skeleton"})
    assert made.status_code == 201, made.text
    scenario = made.json()["id"]
    headers = {"X-CSRF-Token": account.headers["X-CSRF-Token"]}
    checks = [schemathesis.checks.not_a_server_error, response_schema_conformance]
    schema = schemathesis.openapi.from_dict(server.app.openapi())
    ours = schema.include(path_regex=r"^/api/v1/(scenarios|jobs)")
    studio = [r.ok() for r in ours.get_all_operations()]
    assert len(studio) == 12  # the shelf: 7, validate, Try it; jobs: list, one, cancel
    tried = account.post(f"{API}/scenarios/{scenario}/trials", json={"runs": 1})
    assert tried.status_code == 202, tried.text
    job = tried.json()["id"]
    answered: list[int] = []

    for operation in studio:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            if case.path_parameters and "scenario" in case.path_parameters:
                case.path_parameters["scenario"] = scenario  # mostly the real one, past 404
            if case.path_parameters and "job" in case.path_parameters:
                case.path_parameters["job"] = job
            response = case.call_and_validate(
                base_url=server.url, headers=headers, cookies=dict(account.cookies), checks=checks
            )
            answered.append(response.status_code)

        call()
    for running in account.get(f"{API}/jobs").json()["jobs"]:  # generated trials: stop them
        if running["status"] in ("queued", "running"):
            account.delete(f"{API}/jobs/{running['id']}")
    # the generated requests were the account's (a generated bearer token is refused with
    # 401, as it should be): some were answered, none refused as not the account's
    assert any(200 <= status < 300 for status in answered), answered
    assert 403 not in answered, answered
