"""Games of the bundled scenario, driven by the engine's own commands, and the rooms seats
see of them: the shared set-up of the rooms' tests (no server, no store)."""

from __future__ import annotations

from collections.abc import Sequence

from whitecell.engine import ADJUDICATOR, CONTROL, Game, Seat, team_seat
from whitecell.engine import commands as cmd
from whitecell.live.model_seats import Draft, Notice
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import load_bundled
from whitecell.store.sql import SeatRow
from whitecell.web.rooms import Room, Seating
from whitecell.web.rooms.base import UNRESOLVED

SCENARIO = "ukraine-ceasefire-2025"
SEED = 11

# what only the team that wrote it may read
SECRET_WHY = "only-the-us-may-read-this-rationale"
SECRET_RESULT = "only-the-us-may-read-this-result"
SECRET_CHAT = "only-russia-and-china-may-read-this"


def team(id: str) -> Seat:
    return team_seat(id)


def new_game(seed: int = SEED) -> Game:
    """The bundled scenario, not started."""
    return Game(load_bundled(SCENARIO), seed)


def in_round(number: int = 1, seed: int = SEED) -> Game:
    """A started game with round ``number`` open (earlier rounds closed by the rules)."""
    game = new_game(seed)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    advance_to(game, number)
    return game


def close_round(game: Game) -> None:
    """Resolve what is still open by the rules, then close the round."""
    state = game.state
    if any(a.round == state.round and a.status in UNRESOLVED for a in state.actions.values()):
        game.handle(cmd.ResolveByRules(seat=ADJUDICATOR))
    game.handle(cmd.CloseRound(seat=CONTROL, number=state.round))


def advance_to(game: Game, number: int) -> None:
    """Close rounds and open the next until round ``number`` is open."""
    while game.state.round < number:
        if game.state.round_open:
            close_round(game)
        game.handle(cmd.OpenRound(seat=CONTROL, number=game.state.round + 1))


def submit(
    game: Game,
    who: str,
    action: str,
    target: str | None = None,
    rationale: str = "",
    *,
    description: str = "",
    instrument: str | None = None,
    draft: str | None = None,
) -> str:
    """A team submits a catalogue action (or ``free``, with a description); its uid."""
    (event,) = game.handle(
        cmd.SubmitAction(
            seat=team(who),
            action=action,
            target=target,
            rationale=rationale,
            description=description,
            instrument=instrument,
            draft=draft,
        )
    )
    return event.uid  # type: ignore[attr-defined]


def rule(game: Game, uid: str, probability: float, *, private_text: str = "") -> bool:
    """An adjudicator assesses, rolls and publishes one action; whether it succeeded."""
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=probability))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    game.handle(cmd.PublishOutcome(seat=ADJUDICATOR, uid=uid, private_text=private_text))
    return bool(game.state.actions[uid].success)


def us_secret_game() -> tuple[Game, str]:
    """Round 1: the US pauses intelligence sharing with Kyiv in secret, with a rationale;
    the action is ruled on with a private result for the US; Russia and China share a
    private channel; Russia launches a public offensive, still open."""
    game = in_round(1)
    uid = submit(game, "usa", "pause_intelligence", "ukraine", rationale=SECRET_WHY)
    rule(game, uid, 0.8, private_text=SECRET_RESULT)
    (opened,) = game.handle(cmd.OpenChannel(seat=team("russia"), members=("china",)))
    channel = opened.channel  # type: ignore[attr-defined]
    game.handle(cmd.SendMessage(seat=team("russia"), channel=channel, text=SECRET_CHAT))
    submit(game, "russia", "spring_offensive")
    return game, uid


def seating(
    person: str = "Ana",
    lead: bool = True,
    *,
    links: Sequence[SeatRow] = (),
    agent_kinds: dict[str, str] | None = None,
    drafts: dict[str, Draft] | None = None,
    notices: Sequence[Notice] = (),
    log_page: int = 0,
) -> Seating:
    return Seating(
        game="g1",
        title="Ankara",
        person=person,
        lead=lead,
        links=links,
        agent_kinds=agent_kinds or {},
        drafts=drafts or {},
        notices=notices,
        log_page=log_page,
    )


def room(
    game: Game,
    seat: Seat,
    lang: str = "en",
    person: str = "Ana",
    *,
    links: Sequence[SeatRow] = (),
    agent_kinds: dict[str, str] | None = None,
    drafts: dict[str, Draft] | None = None,
    notices: Sequence[Notice] = (),
    log_page: int = 0,
) -> Room:
    """The room ``seat`` sees of ``game`` now, in ``lang``."""
    return Room(
        game.view(seat),
        seating(
            person,
            links=links,
            agent_kinds=agent_kinds,
            drafts=drafts,
            notices=notices,
            log_page=log_page,
        ),
        lang,
    )


def link(seat: str, person: str, *, lead: bool = False, revoked: bool = False) -> SeatRow:
    """A join link as the server keeps it."""
    return SeatRow(
        id=f"{seat}-{person}",
        game_id="g1",
        seat=seat,
        person=person,
        lead=lead,
        revoked=revoked,
        created_at="2025-02-17T09:00:00Z",
    )


def label(game: Game, key: str, lang: str = "en") -> str:
    """A variable's label as the scenario words it."""
    return localize(game.scenario.var[key].label, lang)


def owned(game: Game, key: str, lang: str = "en") -> str:
    """A per-team variable's label with its team: "Government cohesion (United States)"."""
    var = game.scenario.var[key]
    base = localize(var.label, lang)
    return f"{base} ({name(game, var.team, lang)})" if var.team else base


def name(game: Game, who: str, lang: str = "en") -> str:
    """A team's or role's name as the scenario words it."""
    return game.scenario.actor_name(who, lang)


def action_label(game: Game, action: str, lang: str = "en") -> str:
    return localize(game.scenario.action[action].label, lang)
