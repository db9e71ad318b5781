"""``decide``: check a command against the rules and return the events it causes.

``decide`` never writes to the state. Commands that set off a chain (closing a
round applies agreements, rolls hazards and fires injects) work on a small
scratch copy, ``_Draft``, so each event in the chain sees the ones before it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.dice import commitment
from whitecell.engine.errors import RuleViolation
from whitecell.engine.seats import CONTROL_ONLY, PUBLIC, WHITE_CELL, Seat
from whitecell.engine.state import ActionRecord, ProposalRecord, State
from whitecell.scenario.model import NO_EFFECTS, AgreementKind, Effects, Inject, Scenario, VarRef

_PUBLIC = (PUBLIC,)


class _Draft:
    """Scratch copy of the parts of the state a chain of events changes.

    With ``copy=False`` (commands that only add a record) it shares the state's
    values read-only, which keeps the common single-event commands cheap.
    """

    __slots__ = (
        "ac",
        "ag",
        "broken",
        "cl",
        "events",
        "inj",
        "owned",
        "rolls",
        "round",
        "sc",
        "seq",
        "state",
        "v",
    )

    def __init__(self, state: State, *, copy: bool = False) -> None:
        self.state = state
        self.sc: Scenario = state.scenario
        self.v = list(state.v) if copy else state.v
        self.ag, self.cl, self.inj = state.ag, state.cl, state.inj
        self.owned = False  # agreements and injects are copied on first write
        self.ac = state.ac
        self.round = state.round
        self.rolls = state.rolls
        self.seq = state.seq
        self.events: list[ev.Event] = []
        self.broken: set[str] = set()

    def own(self) -> None:
        if not self.owned:
            self.ag = {k: list(x) for k, x in self.ag.items()}
            self.cl = dict(self.cl)
            self.inj = set(self.inj)
            self.owned = True

    def emit(
        self,
        cls: type[ev.Event],
        audience: tuple[str, ...],
        actor: str,
        by: str | None = None,
        **fields: Any,
    ) -> Any:
        self.seq += 1
        event = cls(seq=self.seq, round=self.round, audience=audience, actor=actor, by=by, **fields)
        self.events.append(event)
        return event

    def apply(
        self, effects: Effects, actor: str | None = None, target: str | None = None
    ) -> ev.Changes:
        """Work out ``effects`` and write them into the draft's values."""
        changes = _changes(self.v, self.sc, effects, actor, target)
        var = self.sc.var
        for key, _old, new in changes:
            self.v[var[key].index] = new
        return changes

    def roll(self, purpose: str, subject: str, threshold: float, audience: tuple[str, ...]) -> bool:
        dice = self.state.dice
        if dice is None:
            raise RuleViolation("this game has no seed: dice cannot be rolled (replay-only state)")
        index = self.rolls
        self.rolls += 1
        value = dice.roll(index)
        success = value < threshold
        self.emit(
            ev.DiceRolled,
            audience,
            "engine",
            index=index,
            purpose=purpose,
            subject=subject,
            value=value,
            threshold=threshold,
            success=success,
        )
        return success

    def break_agreements(
        self, kinds: tuple[str, ...], cause: str, source: str, culprit: str | None
    ) -> None:
        for rec in self.state.agreements.values():
            if rec.agreement in kinds and rec.in_force and rec.uid not in self.broken:
                self.break_one(rec.uid, cause, source, culprit)

    def break_one(self, uid: str, cause: str, source: str, culprit: str | None) -> None:
        rec = self.state.agreements[uid]
        self.own()
        self.broken.add(uid)
        stats = self.ag[rec.agreement]
        stats[0] -= 1
        stats[2] += 1
        for c in rec.clauses:
            self.cl[c] -= 1
        kind = self.sc.agreements[rec.agreement]
        changes = self.apply(kind.on_break)
        self.emit(
            ev.AgreementBroken,
            _PUBLIC,
            "engine",
            uid=uid,
            agreement=rec.agreement,
            cause=cause,
            source=source,
            culprit=culprit,
            changes=changes,
        )

    def fire(self, inject: Inject, *, manual: bool, actor: str, by: str | None = None) -> None:
        self.own()
        self.inj.add(inject.id)
        audience = _PUBLIC if inject.audience is None else inject.audience
        changes = self.apply(inject.effects)
        self.emit(
            ev.InjectFired,
            audience,
            actor,
            by,
            inject=inject.id,
            manual=manual,
            news="",
            changes=changes,
        )
        if inject.effects.end_agreements:
            self.break_agreements(inject.effects.end_agreements, "inject", inject.id, None)

    def maybe_fire(self, inject: Inject) -> None:
        """Fire ``inject`` if its condition holds and its chance comes up."""
        if inject.once and inject.id in self.inj:
            return
        if inject.when is not None and not inject.when(self):
            return
        if inject.chance is not None and not self.roll(
            "inject", inject.id, inject.chance, (WHITE_CELL,)
        ):
            return
        self.fire(inject, manual=False, actor="engine")


# -- helpers ---------------------------------------------------------------


def _changes(
    values: list[float], sc: Scenario, effects: Effects, actor: str | None, target: str | None
) -> ev.Changes:
    """What ``effects`` change, as (key, old, new), clipped to each variable's range; later
    terms see earlier ones. Nothing is written."""
    if not effects.terms:
        return ()
    variables = sc.vars
    current: dict[int, float] = {}
    changes: list[ev.Change] = []
    for ref, amount, absolute in effects.terms:
        i = ref.index(actor, target)
        old = current.get(i, values[i])
        new = variables[i].clip(amount if absolute else round(old + amount, 6))
        if new != old:
            current[i] = new
            changes.append((variables[i].key, old, new))
    return tuple(changes)


def _one(
    s: State,
    cls: type[ev.Event],
    audience: tuple[str, ...],
    actor: str,
    by: str | None = None,
    **fields: Any,
) -> Any:
    """The single event of a command that only records something."""
    return cls(seq=s.seq + 1, round=s.round, audience=audience, actor=actor, by=by, **fields)


def _require_control(c: cmd.Command, what: str) -> None:
    if c.seat.kind != "control":
        raise RuleViolation(f"only the white cell's control seat can {what} (you are {c.seat})")


def _require_umpire(c: cmd.Command, what: str) -> None:
    if c.seat.kind not in ("control", "adjudicator"):
        raise RuleViolation(f"only control or an adjudicator can {what} (you are {c.seat})")


def _require_team(s: State, c: cmd.Command, what: str) -> str:
    if c.seat.kind != "team":
        raise RuleViolation(f"only a team can {what} (you are {c.seat})")
    team = c.seat.team
    if team not in s.scenario.team:
        raise RuleViolation(f"there is no team '{team}' in this game")
    return team  # type: ignore[return-value]


def _require_running(s: State) -> None:
    if not s.started:
        raise RuleViolation("the game has not started yet")
    if s.ended:
        raise RuleViolation("the game has ended")


def _require_round(s: State, kind: str, what: str) -> None:
    _require_running(s)
    if not s.round_open:
        article = "an" if kind == "action" else "a"
        raise RuleViolation(f"no round is open: {what} only while {article} {kind} round is open")
    current = s.scenario.rounds[s.round - 1]
    if current.kind != kind:
        raise RuleViolation(
            f"round {s.round} is {'an' if current.kind == 'action' else 'a'} {current.kind} round: "
            f"{what} only in {kind} rounds"
        )


def _action(s: State, c: cmd.Command, uid: str) -> ActionRecord:
    rec = s.actions.get(uid)
    if rec is None:
        raise RuleViolation(f"no submitted action '{uid}'")
    if rec.round != s.round or not s.round_open:
        raise RuleViolation(f"action {uid} belongs to round {rec.round}, which is closed")
    return rec


def _proposal(s: State, uid: str, team: str | None) -> ProposalRecord:
    p = s.proposals.get(uid)
    if p is None or (team is not None and team not in p.audience):
        raise RuleViolation(f"no proposal '{uid}' on your table")
    return p


def _check_text(text: str, what: str, *, required: bool = True) -> None:
    if not isinstance(text, str):
        raise RuleViolation(f"the {what} must be text")
    if required and not text.strip():
        raise RuleViolation(f"the {what} is empty")
    if len(text) > cmd.MAX_TEXT:
        raise RuleViolation(f"the {what} is {len(text)} characters long (at most {cmd.MAX_TEXT})")
    _check_unicode(text, what)


def _check_unicode(text: str, what: str) -> None:
    """Logs are UTF-8: text with a lone surrogate would make the game's own log unreadable."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RuleViolation(f"the {what} is not valid Unicode text") from None


# -- commands --------------------------------------------------------------


def _start(s: State, c: cmd.StartGame) -> list[ev.Event]:
    _require_control(c, "start the game")
    if s.started:
        raise RuleViolation("the game has already started")
    if s.seed is None:
        raise RuleViolation("this game has no seed: dice cannot be committed")
    return [
        _one(
            s,
            ev.GameStarted,
            _PUBLIC,
            c.seat.name,
            c.by,
            scenario_id=s.scenario.id,
            scenario_digest=s.scenario.digest,
            seed_commitment=commitment(s.seed),
            start_date=s.scenario.start_date.isoformat(),
        )
    ]


def _open_round(s: State, c: cmd.OpenRound) -> list[ev.Event]:
    _require_control(c, "open a round")
    _require_running(s)
    if s.round_open:
        raise RuleViolation(f"round {s.round} is still open: close it before opening another")
    rounds = s.scenario.rounds
    if s.round >= len(rounds):
        raise RuleViolation(f"all {len(rounds)} rounds have been played: end the game")
    if c.number != s.round + 1:
        raise RuleViolation(f"the next round is round {s.round + 1}, not round {c.number}")
    if c.deadline is not None:
        try:
            dt.datetime.fromisoformat(c.deadline)
        except (TypeError, ValueError):
            raise RuleViolation(
                f"the round's deadline {c.deadline!r} is not a date and time (ISO 8601)"
            ) from None
    spec = rounds[c.number - 1]
    d = _Draft(s, copy=True)
    d.round = c.number
    d.emit(
        ev.RoundOpened,
        _PUBLIC,
        c.seat.name,
        c.by,
        kind=spec.kind,
        date=str(s.date),
        deadline=c.deadline,
    )
    for inject in s.scenario.injects:
        if inject.round == c.number:
            d.maybe_fire(inject)
    return d.events


def hazard(kind: AgreementKind, ctx: Any) -> float:
    """Per-round breakdown hazard h = h0 * exp(sum of beta * x), capped at 1 (Fortna)."""
    total = 0.0
    for cov in kind.covariates:
        total += cov.beta * float(cov.value(ctx))
    h = kind.hazard_base * math.exp(total)  # type: ignore[operator]
    return 1.0 if h > 1.0 else h


def _close_round(s: State, c: cmd.CloseRound) -> list[ev.Event]:
    _require_control(c, "close a round")
    _require_running(s)
    if not s.round_open:
        raise RuleViolation("no round is open")
    if c.number != s.round:
        raise RuleViolation(f"round {s.round} is the open round, not round {c.number}")
    pending = [a.uid for a in s.actions.values() if a.round == s.round and a.status != "applied"]
    if pending:
        raise RuleViolation(
            f"round {s.round} still has {len(pending)} unresolved action(s): "
            f"{', '.join(pending)} (assess, roll and apply each before closing)"
        )
    sc = s.scenario
    d = _Draft(s, copy=True)
    end = s.date + sc.rounds[s.round - 1].duration  # type: ignore[operator]
    d.emit(ev.RoundClosed, _PUBLIC, c.seat.name, c.by, date=end.isoformat())
    in_force = [a for a in s.agreements.values() if a.in_force]
    upkeep: list[ev.Change] = []
    for rec in in_force:
        for clause in rec.clauses:
            upkeep += d.apply(sc.clauses[clause].per_round)
    if upkeep:
        d.emit(ev.UpkeepApplied, _PUBLIC, "engine", changes=tuple(upkeep))
    for inject in sc.injects:
        if inject.round is None:
            d.maybe_fire(inject)
    # an agreement faces the round's events before its durability is rolled
    for rec in in_force:
        kind = sc.agreements[rec.agreement]
        if kind.hazard_base is None or rec.uid in d.broken:
            continue
        h = hazard(kind, d)
        # the odds are the white cell's: they are computed from variables teams may not see
        if d.roll("hazard", rec.uid, h, (WHITE_CELL,)):
            d.break_one(rec.uid, "hazard", str(d.rolls - 1), None)
    return d.events


def _action_fields(s: State, team: str, c: cmd.SubmitAction | cmd.DraftAction) -> dict[str, Any]:
    """Check an action a team submits or drafts; the fields of its event."""
    if c.action == cmd.FREE:
        if c.instrument not in cmd.INSTRUMENTS:
            raise RuleViolation(
                f"a free-form action needs an instrument (allowed: {', '.join(cmd.INSTRUMENTS)})"
            )
        _check_text(c.description, "description of the free-form action")
        if c.target is not None and (c.target not in s.scenario.team or c.target == team):
            raise RuleViolation(
                f"a free-form action may target another team of the game, not {c.target!r}"
            )
        secret = bool(c.secret)
        instrument = c.instrument
    else:
        spec = s.scenario.action.get(c.action)
        if spec is None:
            raise RuleViolation(
                f"there is no action '{c.action}' in the catalogue (or use '{cmd.FREE}' "
                "for a free-form action)"
            )
        if team not in spec.teams:
            raise RuleViolation(f"the action '{c.action}' is not open to team {team}")
        if spec.targets is None:
            if c.target is not None:
                raise RuleViolation(f"the action '{c.action}' takes no target")
        elif c.target is None:
            raise RuleViolation(
                f"the action '{c.action}' needs a target: one of {', '.join(spec.targets)}"
            )
        elif c.target not in spec.targets:
            raise RuleViolation(
                f"team {c.target} cannot be targeted by '{c.action}' (allowed: "
                f"{', '.join(spec.targets)})"
            )
        elif c.target == team:
            raise RuleViolation("a team cannot target itself")
        if c.secret is not None and c.secret != spec.secret:
            kind = "secret" if spec.secret else "public"
            raise RuleViolation(f"the catalogue makes '{c.action}' a {kind} action")
        if c.description:
            raise RuleViolation("only a free-form action takes a description")
        if c.instrument is not None and c.instrument != spec.instrument:
            raise RuleViolation(f"the catalogue makes '{c.action}' a {spec.instrument} action")
        secret = spec.secret
        instrument = spec.instrument
    _check_text(c.rationale, "rationale", required=False)
    return {
        "team": team,
        "action": c.action,
        "target": c.target,
        "secret": secret,
        "instrument": instrument,
        "description": c.description,
        "rationale": c.rationale,
    }


def _submit(s: State, c: cmd.SubmitAction) -> list[ev.Event]:
    team = _require_team(s, c, "submit actions")
    _require_round(s, "action", "actions can be submitted")
    fields = _action_fields(s, team, c)
    spec = s.scenario.action.get(c.action)
    if spec is not None and spec.requires is not None and not spec.requires(s, team, c.target):
        raise RuleViolation(
            f"the action '{c.action}' is not available now (its condition does not hold)"
        )
    limit = s.scenario.rounds[s.round - 1].actions_per_team
    if s.submitted.get((s.round, team), 0) >= limit:
        raise RuleViolation(
            f"team {team} has already submitted {limit} action(s) this round (the limit)"
        )
    audience = (team,) if fields["secret"] else _PUBLIC
    return [_one(s, ev.ActionSubmitted, audience, c.seat.name, c.by, uid=f"a{s.seq + 1}", **fields)]


def _draft_action(s: State, c: cmd.DraftAction) -> list[ev.Event]:
    team = _require_team(s, c, "draft actions")
    _require_running(s)
    fields = _action_fields(s, team, c)
    return [_one(s, ev.ActionDrafted, (team,), c.seat.name, c.by, draft=f"d{s.seq + 1}", **fields)]


def _assess(s: State, c: cmd.Assess) -> list[ev.Event]:
    _require_umpire(c, "assess actions")
    _require_running(s)
    rec = _action(s, c, c.uid)
    if rec.status not in ("submitted", "assessed"):
        raise RuleViolation(f"action {c.uid} has already been rolled: its odds are fixed")
    p = c.probability
    if not isinstance(p, int | float) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise RuleViolation(f"probability {p!r} is outside [0, 1]")
    if c.method not in cmd.ASSESSMENT_METHODS:
        raise RuleViolation(
            f"unknown assessment method '{c.method}' (allowed: "
            f"{', '.join(sorted(cmd.ASSESSMENT_METHODS))})"
        )
    if c.suggested is not None and (
        not isinstance(c.suggested, int | float)
        or isinstance(c.suggested, bool)
        or not 0.0 <= c.suggested <= 1.0
    ):
        raise RuleViolation(f"the suggested probability {c.suggested!r} is outside [0, 1]")
    spec = s.scenario.action.get(rec.action)
    if spec is None and c.method == "rules":
        raise RuleViolation(f"action {c.uid} is free-form: the rules give it no odds")
    n_mods = len(spec.modifiers) if spec is not None else 0
    for entry in c.modifiers:
        if (
            not isinstance(entry, tuple | list)
            or len(entry) != 2
            or not isinstance(entry[0], int)
            or not isinstance(entry[1], int | float)
            or not math.isfinite(entry[1])
        ):
            raise RuleViolation(
                f"a modifier is (number in the catalogue, odds added), not {entry!r}"
            )
        index = entry[0]
        if not 0 <= index < n_mods:
            raise RuleViolation(f"action '{rec.action}' has no modifier number {index}")
    _check_text(c.rationale, "rationale", required=False)
    return [
        _one(
            s,
            ev.ActionAssessed,
            rec.odds_audience,
            c.seat.name,
            c.by,
            uid=rec.uid,
            probability=float(p),
            method=c.method,
            rationale=c.rationale,
            modifiers=c.modifiers,
            suggested=c.suggested,
        )
    ]


def _roll(s: State, c: cmd.Roll) -> list[ev.Event]:
    _require_umpire(c, "roll the dice")
    _require_running(s)
    rec = _action(s, c, c.uid)
    if rec.status == "submitted":
        raise RuleViolation(f"action {c.uid} has not been assessed yet: no odds to roll against")
    if rec.status != "assessed":
        raise RuleViolation(f"action {c.uid} has already been rolled")
    if s.dice is None:
        raise RuleViolation("this game has no seed: dice cannot be rolled (replay-only state)")
    value = s.dice.roll(s.rolls)
    return [
        _one(
            s,
            ev.DiceRolled,
            rec.odds_audience,
            c.seat.name,
            c.by,
            index=s.rolls,
            purpose="action",
            subject=rec.uid,
            value=value,
            threshold=rec.probability,
            success=value < rec.probability,
        )
    ]  # type: ignore[operator]


def _edited_effects(
    s: State, effects: tuple[tuple[str, float], ...], keep: Effects = NO_EFFECTS
) -> Effects:
    """The white cell's own changes to variables (key, change). What ``keep`` does beyond
    changing numbers (ending agreements, revealing intelligence) stays: an adjudicator
    edits how much things change, not what kind of action it was."""
    if not isinstance(effects, tuple | list):
        raise RuleViolation(f"effects are a list of (variable, change), not {effects!r}")
    terms = []
    for entry in effects:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise RuleViolation(f"an effect is (variable, change), not {entry!r}")
        key, delta = entry
        var = s.scenario.var.get(key) if isinstance(key, str) else None
        if var is None:
            raise RuleViolation(
                f"unknown variable {key!r} (known: {', '.join(v.key for v in s.scenario.vars)})"
            )
        if (
            isinstance(delta, bool)
            or not isinstance(delta, int | float)
            or not math.isfinite(delta)
        ):
            raise RuleViolation(f"the change to {key} must be a finite number, not {delta!r}")
        terms.append((VarRef(key, fixed=var.index), float(delta)))
    return Effects(
        change=tuple(terms),
        end_agreements=keep.end_agreements,
        reveal=keep.reveal,
        reveal_exact=keep.reveal_exact,
    )


def _apply(s: State, c: cmd.ApplyOutcome) -> list[ev.Event]:
    _require_umpire(c, "apply outcomes")
    _require_running(s)
    rec = _action(s, c, c.uid)
    if rec.status in ("submitted", "assessed"):
        raise RuleViolation(f"action {c.uid} has not been rolled yet")
    if rec.status == "applied":
        raise RuleViolation(f"the outcome of action {c.uid} has already been applied")
    _check_text(c.public_text, "public narrative", required=False)
    _check_text(c.private_text, "private result", required=False)
    spec = s.scenario.action.get(rec.action)
    catalogue = NO_EFFECTS if spec is None else spec.on_success if rec.success else spec.on_failure
    effects = catalogue if c.effects is None else _edited_effects(s, c.effects, catalogue)
    d = _Draft(s, copy=True)
    changes = d.apply(effects, rec.team, rec.target)
    d.emit(
        ev.OutcomeApplied,
        rec.audience,
        c.seat.name,
        c.by,
        uid=rec.uid,
        success=bool(rec.success),
        changes=changes,
        edited=c.effects is not None,
    )
    if effects.end_agreements:
        d.break_agreements(effects.end_agreements, "action", rec.uid, rec.team)
    if effects.reveal:
        estimates = []
        for ref in effects.reveal:
            i = ref.index(rec.team, rec.target)
            var = s.scenario.vars[i]
            true = d.v[i]
            if effects.reveal_exact or var.is_flag:
                estimates.append((var.key, true, True))
                continue
            d.roll("intel", rec.uid, 1.0, (rec.team,))
            u = d.events[-1].value  # type: ignore[attr-defined]
            estimates.append((var.key, var.clip(round(true + (2 * u - 1) * var.noise, 1)), False))
        d.emit(
            ev.IntelligenceReport,
            (rec.team,),
            "engine",
            team=rec.team,
            source=rec.uid,
            estimates=tuple(estimates),
        )
    if c.public_text.strip():
        d.emit(ev.NewsPublished, _PUBLIC, c.seat.name, c.by, text=c.public_text, about=rec.uid)
    if c.private_text.strip():
        d.emit(
            ev.ResultReported,
            (rec.team,),
            c.seat.name,
            c.by,
            uid=rec.uid,
            team=rec.team,
            text=c.private_text,
        )
    return d.events


def _known_party(s: State, who: str) -> bool:
    return who in s.scenario.team or who in s.scenario.roles


def _message(s: State, c: cmd.SendMessage) -> list[ev.Event]:
    _require_running(s)
    sc = s.scenario
    if c.seat.kind == "team":
        sender = _require_team(s, c, "send messages")
        if c.sender not in (None, sender):
            raise RuleViolation(f"team {sender} cannot send as {c.sender}")
    elif c.seat.kind == "control":
        sender = c.sender or "control"
        if sender != "control" and sender not in sc.roles:
            raise RuleViolation(
                f"control can speak as itself or a role ({', '.join(sc.roles) or 'none'}), "
                f"not as {sender}"
            )
    else:
        raise RuleViolation(f"{c.seat} seats cannot send messages")
    _check_text(c.text, "message")
    if c.channel is not None:
        if c.to:
            raise RuleViolation("a message goes to a channel or to teams, not both")
        members = _channel_members(s, c.channel)
        if members is None:
            raise RuleViolation(f"no channel '{c.channel}' you can write in")
        if c.seat.kind == "team" and sender not in members:
            raise RuleViolation(f"no channel '{c.channel}' you can write in")
        return [
            _one(
                s,
                ev.MessageSent,
                members,
                c.seat.name,
                c.by,
                sender=sender,
                to=(),
                channel=c.channel,
                text=c.text,
            )
        ]
    if not c.to:
        raise RuleViolation("a message needs at least one recipient (or a channel)")
    if len(set(c.to)) != len(c.to):
        raise RuleViolation("a recipient is named twice")
    for who in c.to:
        if who == sender:
            hint = (
                f" (your team's chat is the channel 'team:{sender}')" if sender in sc.team else ""
            )
            raise RuleViolation(f"you cannot send a message to yourself{hint}")
        if not _known_party(s, who):
            raise RuleViolation(f"unknown recipient '{who}' (teams: {', '.join(sc.team)})")
    teams = tuple(t for t in sc.team_ids if t == sender or t in c.to)
    return [
        _one(
            s,
            ev.MessageSent,
            teams,
            c.seat.name,
            c.by,
            sender=sender,
            to=tuple(c.to),
            channel=None,
            text=c.text,
        )
    ]


def _channel_members(s: State, channel: str) -> tuple[str, ...] | None:
    """The teams in a channel; ``team:<id>`` is each team's own chat."""
    if channel.startswith("team:"):
        team = channel.removeprefix("team:")
        return (team,) if team in s.scenario.team else None
    found = s.channels.get(channel)
    return found.members if found is not None else None


def _open_channel(s: State, c: cmd.OpenChannel) -> list[ev.Event]:
    _require_running(s)
    sc = s.scenario
    if c.seat.kind == "team":
        opener = _require_team(s, c, "open channels")
        members = (opener, *c.members)
    elif c.seat.kind == "control":
        members = tuple(c.members)
    else:
        raise RuleViolation(f"{c.seat} seats cannot open channels")
    if len(set(members)) != len(members):
        raise RuleViolation("a team is named twice among the channel's members")
    for team in members:
        if team not in sc.team:
            raise RuleViolation(f"unknown team '{team}' (teams: {', '.join(sc.team)})")
    if len(members) < 2:
        raise RuleViolation("a channel joins at least two teams (your own chat is 'team:<id>')")
    _check_text(c.name, "channel's name", required=False)
    if len(c.name) > 200:
        raise RuleViolation("the channel's name is longer than 200 characters")
    ordered = tuple(t for t in sc.team_ids if t in members)
    return [
        _one(
            s,
            ev.ChannelOpened,
            ordered,
            c.seat.name,
            c.by,
            channel=f"c{s.seq + 1}",
            name=c.name,
            members=ordered,
        )
    ]


def _publish_news(s: State, c: cmd.PublishNews) -> list[ev.Event]:
    _require_control(c, "publish news")
    _require_running(s)
    _check_text(c.text, "news")
    if c.about is not None and c.about not in s.actions:
        raise RuleViolation(f"no submitted action '{c.about}'")
    return [_one(s, ev.NewsPublished, _PUBLIC, c.seat.name, c.by, text=c.text, about=c.about)]


def _publish_statement(s: State, c: cmd.PublishStatement) -> list[ev.Event]:
    team = _require_team(s, c, "publish statements")
    _require_running(s)
    _check_text(c.text, "statement")
    return [_one(s, ev.StatementPublished, _PUBLIC, c.seat.name, c.by, team=team, text=c.text)]


def _table(s: State, c: cmd.TableProposal) -> list[ev.Event]:
    sc = s.scenario
    if c.seat.kind == "team":
        sponsor = _require_team(s, c, "table proposals")
        if c.sponsor not in (None, sponsor):
            raise RuleViolation(f"team {sponsor} cannot table a proposal as {c.sponsor}")
    elif c.seat.kind == "control":
        default = sc.mediator if sc.mediator in sc.roles else "control"
        sponsor = c.sponsor or default
        if sponsor != "control" and sponsor not in sc.roles:
            raise RuleViolation(
                f"control can table as itself or a role ({', '.join(sc.roles) or 'none'}), "
                f"not as {sponsor}"
            )
    else:
        raise RuleViolation(f"{c.seat} seats cannot table proposals")
    _require_round(s, "negotiation", "proposals can be tabled")
    _check_package(s, c.agreement, c.clauses)
    if c.counter_to is not None:
        original = _proposal(s, c.counter_to, sponsor if c.seat.kind == "team" else None)
        if original.status != "open":
            raise RuleViolation(
                f"proposal {c.counter_to} is {original.status}: it cannot be countered"
            )
        if original.agreement != c.agreement:
            raise RuleViolation(
                f"a counter-proposal to {c.counter_to} must be a {original.agreement} agreement"
            )
    parties = sc.agreement_parties(c.agreement, c.clauses)
    audience = tuple(t for t in sc.team_ids if t in parties or t == sponsor)
    return [
        _one(
            s,
            ev.ProposalTabled,
            audience,
            c.seat.name,
            c.by,
            pid=f"p{s.seq + 1}",
            sponsor=sponsor,
            agreement=c.agreement,
            clauses=tuple(c.clauses),
            parties=parties,
            counter_to=c.counter_to,
        )
    ]


def _check_package(
    s: State, agreement: str, clauses: tuple[str, ...], *, in_force_ok: bool = False
) -> str:
    """Check a package of clauses for an agreement kind; returns the kind."""
    sc = s.scenario
    kind = sc.agreements.get(agreement)
    if kind is None:
        raise RuleViolation(
            f"there is no agreement kind '{agreement}' (known: {', '.join(sc.agreements)})"
        )
    if not in_force_ok and s.ag[agreement][0]:
        raise RuleViolation(f"a {agreement} agreement is already in force")
    if not clauses:
        raise RuleViolation("a proposal needs at least one clause")
    if len(set(clauses)) != len(clauses):
        raise RuleViolation("a clause is listed twice")
    allowed = set(kind.required) | set(kind.optional)
    for clause in clauses:
        if clause not in allowed:
            raise RuleViolation(
                f"clause '{clause}' is not part of a {agreement} agreement "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
    missing = [x for x in kind.required if x not in clauses]
    if missing:
        raise RuleViolation(f"a {agreement} agreement must include {', '.join(missing)}")
    return agreement


def _party(s: State, c: cmd.Command, pid: str, what: str) -> tuple[str, ProposalRecord]:
    team = _require_team(s, c, what)
    _require_round(s, "negotiation", f"proposals can be {what.split()[0]}ed")
    p = _proposal(s, pid, team)
    if team not in p.parties:
        raise RuleViolation(
            f"team {team} is not a party to proposal {pid} (parties: {', '.join(p.parties)})"
        )
    if p.status != "open":
        raise RuleViolation(f"proposal {pid} is {p.status}")
    return team, p


def _accept(s: State, c: cmd.AcceptProposal) -> list[ev.Event]:
    team, p = _party(s, c, c.pid, "accept proposals")
    if team in p.accepted:
        raise RuleViolation(f"team {team} has already accepted proposal {c.pid}")
    return [_one(s, ev.ProposalAccepted, p.audience, c.seat.name, c.by, pid=p.pid, team=team)]


def _reject(s: State, c: cmd.RejectProposal) -> list[ev.Event]:
    team, p = _party(s, c, c.pid, "reject proposals")
    if team in p.signed:
        raise RuleViolation(f"team {team} has already signed proposal {c.pid}")
    _check_text(c.reason, "reason", required=False)
    return [
        _one(
            s,
            ev.ProposalRejected,
            p.audience,
            c.seat.name,
            c.by,
            pid=p.pid,
            team=team,
            reason=c.reason,
        )
    ]


def _sign(s: State, c: cmd.SignProposal) -> list[ev.Event]:
    team, p = _party(s, c, c.pid, "sign proposals")
    if team in p.signed:
        raise RuleViolation(f"team {team} has already signed proposal {c.pid}")
    if s.ag[p.agreement][0]:
        raise RuleViolation(f"a {p.agreement} agreement is already in force")
    d = _Draft(s, copy=True)
    d.emit(ev.ProposalSigned, p.audience, c.seat.name, c.by, pid=p.pid, team=team)
    if len(p.signed) + 1 == len(p.parties):
        sc = s.scenario
        changes: list[ev.Change] = []
        for clause in p.clauses:
            changes += d.apply(sc.clauses[clause].on_sign)
        d.emit(
            ev.AgreementSigned,
            _PUBLIC,
            "engine",
            uid=f"g{d.seq + 1}",
            pid=p.pid,
            agreement=p.agreement,
            clauses=p.clauses,
            parties=p.parties,
            changes=tuple(changes),
        )
    return d.events


def _fire(s: State, c: cmd.FireInject) -> list[ev.Event]:
    _require_control(c, "fire injects")
    _require_running(s)
    if c.inject is None:
        _check_text(c.news, "news of the inject")
        audience = _PUBLIC
        if c.teams is not None:
            if (
                not c.teams
                or len(set(c.teams)) != len(c.teams)
                or any(t not in s.scenario.team for t in c.teams)
            ):
                teams = ", ".join(s.scenario.team)
                raise RuleViolation(
                    f"an inject goes to everyone or to teams of the game, each named once ({teams})"
                )
            audience = tuple(t for t in s.scenario.team_ids if t in c.teams)
        effects = _edited_effects(s, c.effects)
        d = _Draft(s, copy=True)
        changes = d.apply(effects)
        d.emit(
            ev.InjectFired,
            audience,
            c.seat.name,
            c.by,
            inject="adhoc",
            manual=True,
            news=c.news,
            changes=changes,
        )
        return d.events
    if c.news or c.effects or c.teams is not None:
        raise RuleViolation("a scenario inject brings its own news, effects and audience")
    inject = s.scenario.inject.get(c.inject)
    if inject is None:
        raise RuleViolation(
            f"there is no inject '{c.inject}' (known: {', '.join(s.scenario.inject) or 'none'})"
        )
    if inject.once and inject.id in s.inj:
        raise RuleViolation(f"inject '{c.inject}' fires once and has already fired")
    d = _Draft(s, copy=True)
    d.fire(inject, manual=True, actor=c.seat.name, by=c.by)
    return d.events


def _estimate(s: State, c: cmd.EstimateOdds) -> list[ev.Event]:
    if c.seat.kind != "adjudicator":
        raise RuleViolation(f"only adjudicators estimate odds (you are {c.seat})")
    _require_running(s)
    if not c.by:
        raise RuleViolation("a blind estimate names the adjudicator who makes it")
    rec = _action(s, c, c.uid)
    if rec.status not in ("submitted", "assessed"):
        raise RuleViolation(f"action {c.uid} has already been rolled: its odds are fixed")
    p = c.probability
    if not isinstance(p, int | float) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise RuleViolation(f"probability {p!r} is outside [0, 1]")
    if c.by in rec.estimates:
        raise RuleViolation(f"{c.by} has already estimated action {c.uid}")
    # blind: no adjudicator reads another's estimate in the log
    return [
        _one(
            s,
            ev.OddsEstimated,
            (CONTROL_ONLY,),
            c.seat.name,
            c.by,
            uid=rec.uid,
            probability=float(p),
        )
    ]


def _assign(s: State, c: cmd.AssignAction) -> list[ev.Event]:
    _require_control(c, "assign actions to adjudicators")
    _require_running(s)
    rec = _action(s, c, c.uid)
    if rec.status == "applied":
        raise RuleViolation(f"action {c.uid} is already resolved")
    _check_text(c.adjudicator, "adjudicator's name")
    if len(c.adjudicator) > 200:
        raise RuleViolation("the adjudicator's name is longer than 200 characters")
    return [
        _one(
            s,
            ev.ActionAssigned,
            (WHITE_CELL,),
            c.seat.name,
            c.by,
            uid=rec.uid,
            adjudicator=c.adjudicator,
        )
    ]


def _seat_agent(s: State, c: cmd.SeatAgent) -> list[ev.Event]:
    _require_control(c, "seat automated players")
    _require_running(s)
    if c.team not in s.scenario.team:
        raise RuleViolation(f"unknown team '{c.team}' (teams: {', '.join(s.scenario.team)})")
    if not isinstance(c.seated, bool):
        raise RuleViolation(f"seated is true or false, not {c.seated!r}")
    if c.seated == (c.team in s.agents):
        now = "already" if c.seated else "not"
        raise RuleViolation(f"an automated player is {now} seated for team {c.team}")
    return [_one(s, ev.AgentSeated, _PUBLIC, c.seat.name, c.by, team=c.team, seated=c.seated)]


def _leak(s: State, c: cmd.Leak) -> list[ev.Event]:
    _require_control(c, "leak intelligence")
    _require_running(s)
    if not isinstance(c.seq, int) or isinstance(c.seq, bool) or not 1 <= c.seq <= s.seq:
        raise RuleViolation(f"there is no event number {c.seq!r}")
    if not c.teams or len(set(c.teams)) != len(c.teams):
        raise RuleViolation("a leak goes to one or more teams, each named once")
    for team in c.teams:
        if team not in s.scenario.team:
            raise RuleViolation(f"unknown team '{team}' (teams: {', '.join(s.scenario.team)})")
    source = s.events[c.seq - 1]
    leaked = json.dumps(ev.event_to_dict(source), ensure_ascii=False, separators=(",", ":"))
    audience = tuple(t for t in s.scenario.team_ids if t in c.teams)
    return [
        _one(
            s,
            ev.IntelligenceLeaked,
            audience,
            c.seat.name,
            c.by,
            source=c.seq,
            teams=audience,
            leaked=leaked,
        )
    ]


def _draft_proposal(s: State, c: cmd.DraftProposal) -> list[ev.Event]:
    team = _require_team(s, c, "draft proposals")
    _require_running(s)
    kind = _check_package(s, c.agreement, c.clauses, in_force_ok=True)
    return [
        _one(
            s,
            ev.ProposalDrafted,
            (team,),
            c.seat.name,
            c.by,
            draft=f"d{s.seq + 1}",
            team=team,
            agreement=kind,
            clauses=tuple(c.clauses),
        )
    ]


def _pause(s: State, c: cmd.PauseGame) -> list[ev.Event]:
    _require_control(c, "pause the game")
    _require_running(s)
    if s.paused:
        raise RuleViolation("the game is already paused")
    return [_one(s, ev.GamePaused, _PUBLIC, c.seat.name, c.by)]


def _resume(s: State, c: cmd.ResumeGame) -> list[ev.Event]:
    _require_control(c, "resume the game")
    _require_running(s)
    if not s.paused:
        raise RuleViolation("the game is not paused")
    return [_one(s, ev.GameResumed, _PUBLIC, c.seat.name, c.by)]


def _reveal(s: State, c: cmd.RevealAll) -> list[ev.Event]:
    _require_control(c, "reveal the game")
    if not s.ended:
        raise RuleViolation("everything is revealed at the debrief: end the game first")
    if s.revealed:
        raise RuleViolation("the game has already been revealed to everyone")
    return [_one(s, ev.GameRevealed, _PUBLIC, c.seat.name, c.by)]


def compute_outcomes(ctx: Any, scenario: Scenario) -> tuple[tuple[str, float | bool], ...]:
    out: list[tuple[str, float | bool]] = []
    for o in scenario.outcomes:
        value = o.value(ctx)
        out.append((o.id, bool(value) if o.is_bool else round(float(value), 6)))
    return tuple(out)


def _end(s: State, c: cmd.EndGame) -> list[ev.Event]:
    _require_control(c, "end the game")
    _require_running(s)
    if s.round_open:
        raise RuleViolation(f"round {s.round} is still open: close it before ending the game")
    if s.seed is None:
        raise RuleViolation("this game has no seed to reveal")
    return [
        _one(
            s,
            ev.GameEnded,
            _PUBLIC,
            c.seat.name,
            c.by,
            seed=s.seed,
            outcomes=compute_outcomes(s, s.scenario),
        )
    ]


_DECIDERS: dict[type[cmd.Command], Callable[[State, Any], list[ev.Event]]] = {
    cmd.StartGame: _start,
    cmd.OpenRound: _open_round,
    cmd.CloseRound: _close_round,
    cmd.SubmitAction: _submit,
    cmd.Assess: _assess,
    cmd.Roll: _roll,
    cmd.ApplyOutcome: _apply,
    cmd.SendMessage: _message,
    cmd.TableProposal: _table,
    cmd.AcceptProposal: _accept,
    cmd.RejectProposal: _reject,
    cmd.SignProposal: _sign,
    cmd.FireInject: _fire,
    cmd.EndGame: _end,
    cmd.OpenChannel: _open_channel,
    cmd.PublishNews: _publish_news,
    cmd.PublishStatement: _publish_statement,
    cmd.EstimateOdds: _estimate,
    cmd.AssignAction: _assign,
    cmd.SeatAgent: _seat_agent,
    cmd.Leak: _leak,
    cmd.DraftAction: _draft_action,
    cmd.DraftProposal: _draft_proposal,
    cmd.PauseGame: _pause,
    cmd.ResumeGame: _resume,
    cmd.RevealAll: _reveal,
}


def decide(state: State, command: cmd.Command) -> list[ev.Event]:
    """The events ``command`` causes in ``state``, or :class:`RuleViolation`."""
    handler = _DECIDERS.get(type(command))
    if handler is None:
        raise RuleViolation(f"unknown command {type(command).__name__}")
    if not isinstance(command.seat, Seat):
        raise RuleViolation("a command must come from a seat")
    if command.seat.kind == "observer":
        raise RuleViolation("observers watch; they cannot act")
    if state.paused and command.seat.kind != "control":
        raise RuleViolation("the game is paused by the white cell: wait until it resumes")
    if command.by is not None:
        if not isinstance(command.by, str) or len(command.by) > 200:
            raise RuleViolation("the person's name must be text of at most 200 characters")
        _check_unicode(command.by, "person's name")
    return handler(state, command)


__all__ = ["compute_outcomes", "decide", "hazard"]
