"""Model advisors on a real server with a language model (``tests.llm.fake_server``: a
real HTTP server on loopback speaking the OpenAI protocol, standing in for a model server
because no weights can be downloaded here).

The leak probe: every team's brief, private objectives, secret actions' outcomes and
private messages carry a marker naming their owner; every team asks its advisor; no
advisor's prompt may hold another team's marker, and each team's own must reach it. Then:
the answer comes back in persona as an event for the team, tokens are counted per team,
and a team whose advisors have spent their budget is refused with a clear message."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import yaml

from tests.llm.fake_server import VALID_ADVICE, FakeModelServer, running
from tests.llm.test_prompt_secrets import marked_scenario
from tests.web.play import Table, browser, ok, send, view
from tests.web.server import Server
from whitecell.live.model_seats import ModelConfig
from whitecell.llm.client import OpenAIModel

SC = marked_scenario()
QUESTION = re.compile(r"QUESTION-(\w+)-MARK")


def wait_for(what: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := what()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)
    return found


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeModelServer]:
    with running() as s:
        yield s


def serving(tmp: Any, fake: FakeModelServer, tokens: int | None) -> Server:
    client = OpenAIModel(fake.url, "scripted-model", timeout=5.0, attempts=2, backoff=0.01)
    return Server(tmp / "whitecell.db", model=ModelConfig(client, None, tokens)).start()


@pytest.fixture(scope="module")
def model_server(tmp_path_factory, fake) -> Iterator[Server]:
    s = serving(tmp_path_factory.mktemp("advisors"), fake, 1_000_000)
    try:
        yield s
    finally:
        s.stop()


def new_table(server: Server) -> Table:
    account = server.control()
    try:
        r = account.post(
            "/api/v1/games",
            json={"scenario": yaml.safe_dump(dict(SC.document), allow_unicode=True), "seed": 5},
        )
        assert r.status_code == 201, r.text
        return Table(server, r.json())
    finally:
        account.close()


def answers(client: httpx.Client, game: str) -> list[dict[str, Any]]:
    return [e for e in view(client, game)["events"] if e["type"] == "advice_given"]


@pytest.fixture(scope="module")
def probed(model_server, fake) -> Iterator[tuple[Table, list[tuple[str, str]]]]:
    """A round in which every team takes a secret action if it can and writes privately
    to another team; the rules resolve the actions; then every team asks its advisor."""
    t = new_table(model_server)
    g = t.game
    control = t.client("control")
    ok(control, g, {"type": "start_game"})
    ok(control, g, {"type": "open_round", "number": 1})
    teams = SC.team_ids
    for i, team in enumerate(teams):
        seat = t.client(f"team:{team}")
        for a in SC.actions:
            if a.secret and team in a.teams:
                targets = [None] if a.targets is None else [x for x in a.targets if x != team]
                for target in targets:
                    body = {"type": "submit_action", "action": a.id, "target": target}
                    if send(seat, g, body).status_code == 200:
                        break
                else:
                    continue
                break
        other = teams[(i + 1) % len(teams)]
        ok(seat, g, {"type": "send_message", "to": [other], "text": f"NOTE-{team}-TO-{other}"})
    ok(control, g, {"type": "resolve_by_rules"})
    before = len(fake.calls("advise"))
    for team in teams:
        question = f"What should we do? QUESTION-{team}-MARK"
        ok(
            t.client(f"team:{team}"),
            g,
            {"type": "ask_advisors", "question": question, "advisor": 0, "lang": "en"},
        )
    wait_for(lambda: len(answers(control, g)) == len(teams))
    prompts = []
    for request in fake.calls("advise")[before:]:
        text = "\n".join(m["content"] for m in request["body"]["messages"])
        prompts.append((QUESTION.search(text).group(1), text))
    try:
        yield t, prompts
    finally:
        t.close()


def test_every_team_asked_and_its_advisor_was_prompted_once(probed):
    _, prompts = probed
    assert sorted(team for team, _ in prompts) == sorted(SC.team_ids)


def test_no_advisor_prompt_holds_another_teams_brief_or_private_objectives(probed):
    _, prompts = probed
    for team, text in prompts:
        for other in SC.team_ids:
            for marker in (
                f"BRIEF-{other}-MARK",
                f"PRIVATE-{other}-MARK",
                f"QUESTION-{other}-MARK",
            ):
                assert (marker in text) == (other == team), (team, marker)


def test_no_advisor_prompt_tells_of_another_teams_secret_actions(probed):
    _, prompts = probed
    seen_own = 0
    for team, text in prompts:
        for owner in re.findall(r"\[SECRET-OF-(.+?)\]", text):
            assert owner == SC.team[team].name["en"], (team, owner)
            seen_own += 1
    assert seen_own, "a team's own secret outcomes reach its advisor (so the check can fail)"


def test_private_messages_reach_only_the_advisors_of_their_two_teams(probed):
    _, prompts = probed
    delivered = 0
    for team, text in prompts:
        for sender, receiver in re.findall(r"NOTE-(\w+)-TO-(\w+)", text):
            assert team in (sender, receiver), (team, sender, receiver)
            delivered += team == receiver
    assert delivered, "notes reach the advisors of the teams they were written to"


def test_the_advisor_answers_in_persona_and_the_team_reads_it_in_its_room(probed):
    t, prompts = probed
    text = dict(prompts)["russia"]
    assert "You are Former ambassador to Moscow, an advisor to the leadership of Russia" in text
    g = t.game
    got = answers(t.client("team:russia"), g)
    assert [a["text"] for a in got] == [VALID_ADVICE]
    assert got[0]["source"] == "model" and got[0]["prompt_tokens"] > 0
    room = browser(t.server, t.token("team:russia"))
    try:
        panel = room.get(f"/games/{g}/panel/advisors").text
    finally:
        room.close()
    assert VALID_ADVICE in panel and "QUESTION-russia-MARK" in panel
    assert "QUESTION-usa-MARK" not in panel and "Free-text questions need" not in panel


def test_a_teams_advisors_stop_at_its_token_budget_and_the_three_best_moves_still_work(
    tmp_path, fake
):
    server = serving(tmp_path, fake, 10)  # one answer spends more than this
    try:
        t = new_table(server)
        g = t.game
        control = t.client("control")
        ok(control, g, {"type": "start_game"})
        usa = t.client("team:usa")
        ok(usa, g, {"type": "ask_advisors", "question": "First?", "advisor": 1})
        wait_for(lambda: answers(usa, g))
        r = send(usa, g, {"type": "ask_advisors", "question": "Second?", "advisor": 1})
        assert r.status_code == 409
        error = r.json()["error"]
        assert error["code"] == "advisor_budget"
        assert "spent this game's 10 tokens" in error["messages"]["en"]
        assert "10トークン" in error["messages"]["ja"]
        assert send(usa, g, {"type": "ask_advisors"}).status_code == 200  # no model needed
        # another team's budget is its own
        ok(t.client("team:russia"), g, {"type": "ask_advisors", "question": "Us?"})
        t.close()
    finally:
        server.stop()


def test_a_model_server_that_fails_still_answers_the_question_with_why(model_server, fake):
    t = new_table(model_server)
    try:
        g = t.game
        ok(t.client("control"), g, {"type": "start_game"})
        fake.script.extend(["500", "500"])
        ok(t.client("team:china"), g, {"type": "ask_advisors", "question": "Anyone there?"})
        got = wait_for(lambda: answers(t.client("team:china"), g))
        assert got[0]["source"] == "unavailable"
        assert "model server unavailable" in got[0]["text"]
    finally:
        fake.script.clear()
        t.close()


def test_a_question_a_stopped_server_left_unanswered_is_answered_when_it_starts_again(
    tmp_path, fake
):
    fake.stall = 3.0
    fake.script.append("timeout")  # the model is still thinking when the server stops
    server = serving(tmp_path, fake, 1_000_000)
    try:
        t = new_table(server)
        g = t.game
        ok(t.client("control"), g, {"type": "start_game"})
        ok(t.client("team:turkey"), g, {"type": "ask_advisors", "question": "Straits?"})
        time.sleep(0.3)
        assert answers(t.client("team:turkey"), g) == []
        t.close()
    finally:
        server.stop()
    again = serving(tmp_path, fake, 1_000_000)
    try:
        t = Table(again, t.created)
        got = wait_for(lambda: answers(t.client("team:turkey"), g))
        assert [a["text"] for a in got] == [VALID_ADVICE]
        t.close()
    finally:
        fake.script.clear()
        again.stop()
