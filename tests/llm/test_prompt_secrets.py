"""An LLM seat's prompt holds what its team may know and nothing else.

Every team's brief, private objectives, secret actions' outcomes and private messages
carry a marker naming their owner; all six teams are played by models (through the
stand-in model server of ``fake_server``: no model weights can be downloaded here) that
take secret actions whenever they can and write to another team each turn. No prompt
may hold another team's marker; each team's own markers must reach it."""

from __future__ import annotations

import copy
import re

import pytest

from tests.llm.fake_server import running
from whitecell.llm.client import OpenAIModel
from whitecell.llm.settings import ModelSettings, build_cast
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.scenario.load import scenario_from_document

NAME = re.compile(r"national leadership of (.+?) in the crisis simulation")


def marked_scenario():
    """The bundled scenario with each team's private texts and secret outcomes marked."""
    base = load_bundled("ukraine-ceasefire-2025")
    doc = copy.deepcopy(dict(base.document))
    doc["meta"]["reveal_at_end"] = False
    for team in doc["teams"]:
        team["brief"]["en"] += f" BRIEF-{team['id']}-MARK"
        team["private_objectives"] = [
            *team.get("private_objectives", []),
            {"en": f"PRIVATE-{team['id']}-MARK", "ja": f"PRIVATE-{team['id']}-MARK"},
        ]
    for action in doc["actions"]:
        if action.get("visibility") == "secret":
            for side in ("success", "failure"):
                action["narrative"][side]["en"] += " [SECRET-OF-{actor}]"
    return scenario_from_document(doc, "<marked>")


@pytest.fixture(scope="module")
def played():
    sc = marked_scenario()
    names = {sc.team[t].name["en"]: t for t in sc.team_ids}
    secret = {a.id for a in sc.actions if a.secret}

    def compose(purpose, schema, body):
        me = names[NAME.search(body["messages"][0]["content"]).group(1)]
        if purpose == "act":
            choices = schema["properties"]["actions"]["items"]["anyOf"]
            choices.sort(key=lambda c: c["properties"]["action"]["enum"][0] not in secret)
            moves = [
                {
                    "action": c["properties"]["action"]["enum"][0],
                    "target": c["properties"]["target"]["enum"][0],
                    "rationale": "for the record",
                }
                for c in choices[: schema["properties"]["actions"]["maxItems"]]
            ]
            to = schema["properties"]["messages"]["items"]["properties"]["to"]["items"]["enum"]
            other = to[len(body["messages"][1]["content"]) % len(to)]
            note = {"to": [other], "text": f"NOTE-{me}-TO-{other}"}
            return {"actions": moves, "messages": [note]}
        return {"decision": "sign", "clauses": [], "reason": "fine"}

    with running() as server:
        server.compose = compose
        settings = ModelSettings(agents=("*=llm",))
        model = OpenAIModel(server.url, "scripted", timeout=5, backoff=0.01)
        cast, _ = build_cast(sc, settings, 3, "en", model=model)
        game = play_game(sc, 3, cast=cast)
        prompts = []
        for request in server.requests:
            text = "\n".join(m["content"] for m in request["body"]["messages"])
            prompts.append((names[NAME.search(text).group(1)], text))
    return sc, game, prompts


def test_every_team_was_prompted_and_took_secret_actions(played):
    sc, game, prompts = played
    assert {team for team, _ in prompts} == set(sc.team_ids)
    assert any(a.secret for a in game.state.actions.values())


def test_no_prompt_holds_another_teams_private_text(played):
    sc, _, prompts = played
    for team, text in prompts:
        for other in sc.team_ids:
            for marker in (f"BRIEF-{other}-MARK", f"PRIVATE-{other}-MARK"):
                assert (marker in text) == (other == team), (team, marker)


def test_no_prompt_tells_of_another_teams_secret_actions(played):
    sc, _, prompts = played
    seen_own = 0
    for team, text in prompts:
        for owner in re.findall(r"\[SECRET-OF-(.+?)\]", text):
            assert owner == sc.team[team].name["en"], (team, owner)
            seen_own += 1
    assert seen_own, "a team's own secret outcomes reach its prompt (so the check can fail)"


def test_private_messages_reach_only_their_two_teams(played):
    _, _, prompts = played
    delivered = 0
    for team, text in prompts:
        for sender, receiver in re.findall(r"NOTE-(\w+)-TO-(\w+)", text):
            assert team in (sender, receiver), (team, sender, receiver)
            delivered += team == receiver
    assert delivered, "notes reach the teams they were written to"
