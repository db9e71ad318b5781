"""The use cases the JSON API and the pages share: run a command, create a game, manage
join links, draft odds with the model, export the log. Each takes the caller already
resolved and answers in data (or raises :class:`~whitecell.web.errors.ApiError`); the
routes only turn HTTP into calls and answers into responses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from whitecell.engine import commands as cmd
from whitecell.engine.decide import decide
from whitecell.engine.errors import RuleViolation
from whitecell.engine.events import Event
from whitecell.live.hub import LiveGame, Outcome, rule_violation
from whitecell.scenario.compiled import Scenario, localize
from whitecell.scenario.library import UnknownScenario, resolve
from whitecell.scenario.load import ScenarioError, load_scenario_text
from whitecell.store.shelf import Shelf
from whitecell.store.sql import SeatRow
from whitecell.web.auth import Caller
from whitecell.web.commands import (
    MEMBER_TYPES,
    AskAdvisorsBody,
    AssessBody,
    CommandBody,
    RuleByMatrixBody,
    SeatAgentBody,
    current_name,
    matrix_command,
    matrix_mismatch,
    to_command,
)
from whitecell.web.context import Context, require_umpire
from whitecell.web.errors import (
    ADVISOR_BUDGET,
    ADVISOR_NO_MODEL,
    MATRIX_ODDS,
    NO_MODEL,
    ApiError,
    Refusal,
)

COMMANDS: TypeAdapter[Any] = TypeAdapter(CommandBody)
MAX_KEY = 200  # characters of an Idempotency-Key
MAX_SCENARIO_BYTES = 2_000_000


class CreateGame(BaseModel):
    scenario: str = Field(
        default="",
        description="A bundled scenario id, or a scenario's YAML text (or give studio).",
    )
    studio: str | None = Field(
        default=None, max_length=32, description="A scenario on the account's studio shelf."
    )
    version: int | None = Field(
        default=None, ge=1, description="Which saved version of it (default: the newest)."
    )
    title: str = Field(default="", max_length=200)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    people_per_team: int = Field(default=1, ge=1, le=12)
    adjudicators: int = Field(default=1, ge=1, le=6)


class NewSeat(BaseModel):
    seat: str = Field(max_length=80)
    person: str = Field(min_length=1, max_length=200)
    lead: bool = False


@dataclass(frozen=True)
class Link:
    """A join link as control sees it once: who it is for and the token in it."""

    id: str
    seat: str
    person: str
    lead: bool
    token: str

    @property
    def path(self) -> str:
        return f"/join/{self.token}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seat": self.seat,
            "person": self.person,
            "lead": self.lead,
            "token": self.token,
            "link": self.path,
        }


# -- commands ---------------------------------------------------------------------------


def check_key(key: str | None) -> str:
    if not key or len(key) > MAX_KEY:
        raise ApiError(
            400,
            "idempotency_key",
            "send an Idempotency-Key header (at most 200 "
            "characters) with every command, and the same one when you retry",
        )
    return key


def no_model() -> Refusal:
    return Refusal(422, "no_model", NO_MODEL)


async def run_command(ctx: Context, live: LiveGame, who: Caller, raw: object, key: str) -> Outcome:
    """Validate a JSON command, check the caller may give it, and execute it once."""
    try:
        body = COMMANDS.validate_python(current_name(raw))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'type'}: {e['msg']}" for e in exc.errors()
        )
        return ApiError(422, "bad_command", problems[:2000], detail=problems[:2000]).outcome()
    if who.seat.kind == "team" and not who.lead and body.type not in MEMBER_TYPES:
        return ApiError(
            403, "lead_only", "only your team's lead may do this; draft it instead"
        ).outcome()
    now = dt.datetime.now(dt.UTC)
    deadline = None
    minutes = getattr(body, "minutes", None)
    if minutes and body.type == cmd.OpenRound.type:
        deadline = (now + dt.timedelta(minutes=minutes)).isoformat(timespec="seconds")
    if isinstance(body, AskAdvisorsBody) and body.question.strip():
        refused = advisor_refusal(ctx, live, who)
        if refused is not None:
            return refused.outcome()
    kind = "heuristic"
    if isinstance(body, SeatAgentBody):
        kind = body.kind
        if body.seated and kind == "llm" and ctx.model is None:
            return no_model().outcome()
    if isinstance(body, AssessBody) and (odds := matrix_mismatch(live.state, body)) is not None:
        return Refusal(409, "matrix_odds", MATRIX_ODDS, odds=f"{odds:.6g}").outcome()
    if isinstance(body, RuleByMatrixBody):
        command: cmd.Command = matrix_command(live.state, body, who.seat, who.person)
    else:
        command = to_command(
            body, who.seat, who.person, deadline, now.isoformat(timespec="seconds")
        )
    return await ctx.hub.execute(
        live.id, command, who.principal, key, kind, ctx.store.fingerprint(raw)
    )


def advisor_refusal(ctx: Context, live: LiveGame, who: Caller) -> Refusal | None:
    """Why a free-text question to an advisor cannot be asked here: no language model, or
    the team's advisors have spent their tokens (None: it can)."""
    if ctx.model is None:
        return Refusal(422, "no_model", ADVISOR_NO_MODEL)
    budget = ctx.model.advisor_tokens_per_team
    spent = live.state.advice_tokens.get(who.seat.team or "", 0)
    if budget is not None and spent >= budget:
        return Refusal(409, "advisor_budget", ADVISOR_BUDGET, budget=f"{budget:,}")
    return None


async def draft_odds(ctx: Context, live: LiveGame, who: Caller, uid: str) -> Outcome:
    """Ask the model for a draft assessment of ``uid`` on behalf of an umpire."""
    try:
        require_umpire(who)
    except ApiError as exc:
        return exc.outcome()
    if ctx.model is None:
        return no_model().outcome()
    try:  # whether the action could be assessed now, by the rules' own words
        decide(live.state, cmd.Assess(seat=who.seat, uid=uid, probability=0.5))
    except RuleViolation as exc:
        return rule_violation(exc, live.state)
    draft = await ctx.hub.draft(live.id, uid, who.person)
    return Outcome(200, draft.to_dict())


# -- games ------------------------------------------------------------------------------


def scenario_from(text: str, name: str = "uploaded scenario") -> Scenario:
    """A bundled scenario by id, or a scenario's YAML text."""
    stripped = text.strip()
    if "\n" not in stripped and ":" not in stripped:
        return resolve(stripped)
    return load_scenario_text(text, name)


def scenario_upload(raw: bytes, filename: str) -> str:
    """An uploaded scenario file's text, refused when too large or not UTF-8."""
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ApiError(413, "too_large", "a scenario file is at most 2 MB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "not_utf8", f"{filename} is not UTF-8 text", file=filename) from None


def shelved_text(ctx: Context, account_id: str | None, body: CreateGame) -> tuple[str, str]:
    """The YAML of a saved version on the account's shelf (the newest if none is named),
    and how problems name it; a version with problems makes no game."""
    shelf = Shelf(ctx.store)
    scenario = body.studio or ""
    if account_id is None or shelf.owner(scenario) != account_id:
        raise ApiError(404, "no_scenario", f"no scenario {scenario!r} on your shelf")
    versions = shelf.versions(scenario)
    found = versions[-1] if body.version is None else shelf.version(scenario, body.version)
    if found is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {body.version}")
    if not found.valid:
        raise ApiError(
            422, "version_not_valid", f"version {found.number} has problems", number=found.number
        )
    return found.yaml, f"studio {scenario} version {found.number}"


async def create_game(
    ctx: Context, body: CreateGame, account_id: str | None, filename: str = "uploaded scenario"
) -> dict[str, Any]:
    """Create a game and its join links: control, adjudicators, team members, observer."""
    text = body.scenario
    if body.studio is not None:
        text, filename = await to_thread.run_sync(shelved_text, ctx, account_id, body)
    elif not text.strip():
        raise ApiError(422, "no_scenario_given", "give a scenario or a studio scenario")
    try:
        scenario = await to_thread.run_sync(scenario_from, text, filename)
    except ScenarioError as exc:
        raise ApiError(422, "bad_scenario", "\n".join(str(p) for p in exc.problems[:50])) from None
    except UnknownScenario as exc:
        raise ApiError(422, "unknown_scenario", str(exc)) from None
    # no title given: pages show the scenario's own, in the reader's language
    live = await ctx.hub.create(scenario, body.title, account_id, body.seed)
    plan: list[tuple[str, str, bool]] = [("control", placeholder("control", 1), True)]
    plan += [
        ("adjudicator", placeholder("adjudicator", i + 1), True) for i in range(body.adjudicators)
    ]
    for team in scenario.team_ids:
        seat = f"team:{team}"
        plan += [(seat, placeholder(seat, i + 1), i == 0) for i in range(body.people_per_team)]
    plan.append(("observer", placeholder("observer", 1), False))
    links = []
    for seat, person, lead in plan:
        seat_id, token = await to_thread.run_sync(ctx.store.add_seat, live.id, seat, person, lead)
        links.append(Link(seat_id, seat, person, lead, token).to_dict())
    title = live.title or localize(scenario.title, "en")
    return {"game": live.id, "title": title, "links": links}


# -- join links -------------------------------------------------------------------------


def placeholder(seat: str, number: int) -> str:
    """The name a link is made with, until its person gives theirs: "russia 1"."""
    kind, _, team = seat.partition(":")
    if team:
        return f"{team} {number}"
    return {"control": "White cell", "observer": "Observer"}.get(kind, f"Adjudicator {number}")


def unnamed(seat: str, person: str) -> bool:
    """Whether a link's person still has the name it was made with."""
    return any(person == placeholder(seat, n) for n in range(1, 13))


async def rename(ctx: Context, who: Caller, person: str) -> str:
    """A person's own name for their seat, as people will read it in the game."""
    person = " ".join(person.split())[:200]
    if not person or who.seat_id is None or who.game_id is None:
        raise ApiError(422, "seat_and_name", "give a name")
    await to_thread.run_sync(ctx.store.rename, who.seat_id, person)
    ctx.forget(who.seat_id)
    await ctx.hub.poke(who.game_id)
    return person


def valid_seats(scenario: Scenario) -> set[str]:
    """The seats a person can be given in a game of ``scenario``."""
    return {"control", "adjudicator", "observer"} | {f"team:{t}" for t in scenario.team_ids}


async def add_link(ctx: Context, live: LiveGame, seat: str, person: str, lead: bool) -> Link:
    valid = valid_seats(live.scenario)
    if seat not in valid:
        raise ApiError(422, "bad_seat", f"no seat {seat!r} (seats: {', '.join(sorted(valid))})")
    person = person.strip()[:200]
    if not person:
        raise ApiError(422, "seat_and_name", "seat and name needed")
    seat_id, token = await to_thread.run_sync(ctx.store.add_seat, live.id, seat, person, lead)
    await ctx.hub.poke(live.id)
    return Link(seat_id, seat, person, lead, token)


def _link_row(ctx: Context, game: str, seat_id: str) -> SeatRow:
    row = ctx.store.seat(seat_id) if seat_id else None
    if row is None or row.game_id != game:
        raise ApiError(404, "no_seat", f"no seat link {seat_id!r} in this game")
    return row


async def revoke_link(ctx: Context, game: str, seat_id: str) -> None:
    """Shut a link out: every browser that opened it, and its open streams."""
    _link_row(ctx, game, seat_id)
    ctx.store.revoke(seat_id)
    ctx.forget(seat_id)
    ctx.revoked.add(seat_id)
    await ctx.hub.poke(game)


async def reissue_link(ctx: Context, game: str, seat_id: str) -> Link:
    """A new link for a seat; the old link and every session it opened stop."""
    row = _link_row(ctx, game, seat_id)
    token = ctx.store.reissue(row.id)
    ctx.forget(row.id)
    ctx.replaced.add(row.session)
    await ctx.hub.poke(row.game_id)
    return Link(row.id, row.seat, row.person, row.lead, token)


# -- the log ----------------------------------------------------------------------------


async def events_now(live: LiveGame) -> list[Event]:
    """The log as it stands between two commands (commands change it under the lock)."""
    async with live.lock:
        return list(live.state.events)


__all__ = [
    "CreateGame",
    "Link",
    "NewSeat",
    "add_link",
    "check_key",
    "create_game",
    "draft_odds",
    "events_now",
    "reissue_link",
    "revoke_link",
    "run_command",
    "scenario_from",
    "scenario_upload",
    "valid_seats",
]
