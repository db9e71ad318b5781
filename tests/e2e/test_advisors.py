"""Advisors in real browsers (Chromium): a team asks its advisors in its room, in English
and in Japanese, and reads the answer next to the form; another team's room never shows
it; the white cell switches a team's advisors off and the team's room says so, live.
Screenshots of the panel at desktop and phone size go to test-artifacts/e2e/rooms/."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.audit import ROOMS, screenshots
from tests.e2e.conftest import People
from tests.e2e.test_live_game import LIVE, connected, never_shows, panel, started
from tests.llm.fake_server import running
from tests.web.server import Server
from whitecell.live.model_seats import ModelConfig
from whitecell.llm.client import OpenAIModel
from whitecell.web.i18n import translations

NEEDS_MODEL = (
    "Free-text questions need a model server (serve --llm-base-url … --llm-model …); "
    "the three best moves above need none."
)


def move(answer: str, rank: int) -> str:
    """Move ``rank`` of an answer as the page reads it (its paragraphs run together)."""
    return answer.split(f"{rank}. ", 1)[1].split(f" {rank + 1}. ", 1)[0]


def test_a_team_asks_its_advisors_in_english_and_in_japanese_and_only_it_reads_the_answers(
    server: Server, people: People
) -> None:
    game, tokens = started(server)
    usa = people.open("advisors-usa", f"{server.url}/join/{tokens['team:usa']}")
    usa.give_name("Ada")
    advisors = panel(usa, "advisors")
    expect(advisors).to_contain_text("Ask your advisors")
    expect(advisors).to_contain_text("Free-text questions need a model server")
    expect(advisors.locator("#advice-text")).to_be_disabled()

    answer = usa.send("advice-moves")
    assert answer.startswith("Our three best moves as we see things now"), answer
    assert "1. " in answer and "3. " in answer and "%" in answer
    first = move(answer, 1)
    result = usa.page.locator("#res-advice-moves")
    expect(result).to_have_attribute("role", "status")  # read out when it comes
    # the list of questions and answers below shows it too (the panel refreshes live)
    expect(advisors.locator("#advice-log")).to_contain_text("Our three best moves?", timeout=LIVE)
    expect(advisors.locator("#advice-log")).to_contain_text(first[:40], timeout=LIVE)
    screenshots(usa.page, "advisors-team-en")
    advisors.screenshot(path=str(ROOMS / "advisors-panel-en.png"))

    # another team, in Japanese: its own advice, and never the US's
    russia = people.open("advisors-russia-ja", f"{server.url}/join/{tokens['team:russia']}")
    russia.page.goto(f"{server.url}/games/{game}?lang=ja")
    russia.mark()
    ja = translations("ja").gettext
    advisors_ja = panel(russia, "advisors")
    expect(advisors_ja).to_contain_text(ja("Ask your advisors"))
    answer_ja = russia.send("advice-moves")
    assert answer_ja.startswith("今の見立てで最善の三手"), answer_ja
    assert "退役海兵隊中佐" in answer_ja or "元駐モスクワ大使" in answer_ja
    expect(advisors_ja.locator("#advice-log")).to_contain_text(
        ja("Our three best moves?"), timeout=LIVE
    )
    never_shows(russia, first)
    screenshots(russia.page, "advisors-team-ja")
    advisors_ja.screenshot(path=str(ROOMS / "advisors-panel-ja.png"))
    never_shows(usa, move(answer_ja, 1))

    # the white cell sees both teams' questions, and switches the US off for this round
    control = people.open("advisors-control", f"{server.url}/join/{tokens['control']}")
    log = panel(control, "advisors")
    expect(log).to_contain_text(first[:40])
    expect(log).to_contain_text(move(answer_ja, 1)[:20])
    connected(usa)
    control.send("adv-round-usa")
    expect(advisors).to_contain_text(
        "The white cell has turned your advisors off for round 1.", timeout=LIVE
    )
    expect(usa.page.locator("#f-advice-moves")).to_have_count(0)
    assert usa.still_the_same_page()
    expect(log).to_contain_text("off", timeout=LIVE)
    log.screenshot(path=str(ROOMS / "advisors-panel-control.png"))
    screenshots(control.page, "advisors-control")
    screenshots(usa.page, "advisors-team-off")
    for seat in (usa, russia, control):
        assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"


def test_a_free_text_question_to_an_advisor_is_answered_in_persona_in_the_room_live(
    tmp_path, people: People
) -> None:
    """With a model server (the loopback stand-in of ``tests.llm.fake_server``), a team
    asks one advisor a question in Japanese; the room says the advisor is thinking, then
    shows the answer when it comes, without a reload."""
    with running() as fake:
        fake.compose = lambda purpose, schema, body: {"answer": "まず停戦線の凍結を探るべきです。"}
        client = OpenAIModel(fake.url, "scripted-model", timeout=5.0, attempts=2, backoff=0.01)
        server = Server(tmp_path / "whitecell.db", model=ModelConfig(client, None, 50_000)).start()
        try:
            game, tokens = started(server)
            russia = people.open("advisors-model-ja", f"{server.url}/join/{tokens['team:russia']}")
            russia.page.goto(f"{server.url}/games/{game}?lang=ja")
            russia.mark()
            ja = translations("ja").gettext
            advisors = panel(russia, "advisors")
            expect(advisors.locator("#advice-text")).to_be_enabled()
            expect(advisors).not_to_contain_text(ja(NEEDS_MODEL))
            russia.page.select_option("#advice-advisor", "1")
            russia.page.fill("#advice-text", "ドンバスで攻勢に出るべきか?")
            connected(russia)
            said = russia.send("advice-question")
            assert "退役海兵隊中佐" in said, said
            log = advisors.locator("#advice-log")
            expect(log).to_contain_text("ドンバスで攻勢に出るべきか?", timeout=LIVE)
            expect(log).to_contain_text("まず停戦線の凍結を探るべきです。", timeout=LIVE)
            assert russia.still_the_same_page()
            prompt = fake.calls("advise")[-1]["body"]["messages"][0]["content"]
            assert "退役海兵隊中佐" in prompt and "日本語" in prompt
            screenshots(russia.page, "advisors-model-ja")
            advisors.screenshot(path=str(ROOMS / "advisors-panel-model-ja.png"))
            assert not russia.errors, f"the browser reported:\n{russia.problems()}"
        finally:
            server.stop()
