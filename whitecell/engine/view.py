"""``view``: what one seat may see of a game. The only read path out of the engine.

Pages, live streams, agents and reports all read through a :class:`View`, so
fog of war lives here and nowhere else: events outside the seat's audience are
dropped, changes to variables it cannot see are cut from the events it can,
and hidden variables read as the seat's best estimate, never the true value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from functools import lru_cache
from typing import Any

from whitecell.engine import events as ev
from whitecell.engine.seats import CONTROL_ONLY, PUBLIC, Seat
from whitecell.engine.state import (
    SET_ASIDE,
    ActionRecord,
    AgreementRecord,
    Channel,
    ProposalRecord,
    State,
)
from whitecell.scenario.compiled import Card, Scenario, Team, Var, localize
from whitecell.scenario.expr import FAILED, SUCCEEDED, TAKEN, EvalContext


class Projection:
    """A team's picture of the state, shaped like the state for scenario expressions
    (an :class:`~whitecell.scenario.expr.EvalContext`).

    Action counts are worked out only if an expression asks for them.
    """

    __slots__ = (
        "_action_counts",
        "_catalogue",
        "_records",
        "_team",
        "agreement_counts",
        "clauses_in_force",
        "inj",
        "round",
        "v",
    )

    def __init__(
        self,
        v: Sequence[float],
        agreement_counts: Mapping[str, Sequence[int]],
        clauses_in_force: Mapping[str, int],
        action_counts: Mapping[str, Sequence[int]] | None,
        inj: AbstractSet[str],
        round: int,
        catalogue: Iterable[str] | None = None,
        records: Mapping[str, ActionRecord] | None = None,
        team: str | None = None,
    ) -> None:
        """Without ``action_counts``, they are counted (once, if asked) over ``records``,
        the state's actions, for the ``catalogue``'s ids. The state's tables, not the state:
        the state caches its projections, and a projection holding the state would make
        each game a reference cycle that only the cyclic collector frees (in automated
        play, a tenth of the time)."""
        self.v, self.inj, self.round = v, inj, round
        self.agreement_counts, self.clauses_in_force = agreement_counts, clauses_in_force
        self._action_counts, self._team = action_counts, team
        self._catalogue, self._records = catalogue, records

    @property
    def action_counts(self) -> Mapping[str, Sequence[int]]:
        """The counts of the actions this team knows of: public ones and its own secret ones."""
        if self._action_counts is None:
            assert self._catalogue is not None and self._records is not None
            counts = {a: [0, 0, 0] for a in self._catalogue}
            for rec in self._records.values():
                c = counts.get(rec.action)  # None: a free-form action, not in the catalogue
                if c is None or rec.status in SET_ASIDE:  # withdrawn or voided: not taken
                    continue
                if not rec.secret or rec.team == self._team:
                    c[TAKEN] += 1
                    if rec.status == "applied":
                        c[SUCCEEDED if rec.success else FAILED] += 1
            self._action_counts = counts
        return self._action_counts


def with_clauses(ctx: EvalContext, clauses_in_force: Mapping[str, int]) -> Projection:
    """``ctx`` as if other clauses were in force: for weighing a draft agreement."""
    if isinstance(ctx, Projection):
        return Projection(
            ctx.v,
            ctx.agreement_counts,
            clauses_in_force,
            ctx._action_counts,
            ctx.inj,
            ctx.round,
            ctx._catalogue,
            ctx._records,
            ctx._team,
        )
    return Projection(
        ctx.v, ctx.agreement_counts, clauses_in_force, ctx.action_counts, ctx.inj, ctx.round
    )


@lru_cache(maxsize=256)
def _hidden(scenario: Scenario, team: str | None) -> tuple[int, ...]:
    """Indices of the variables a team (or, with None, an observer) cannot see."""
    return tuple(
        v.index
        for v in scenario.vars
        if not (
            v.visibility == "public"
            or (v.visibility == "owner" and team is not None and v.owner == team)
        )
    )


@lru_cache(maxsize=256)
def _priors(scenario: Scenario, team: str | None) -> tuple[tuple[int, str, float], ...]:
    """The hidden variables as a projection fills them in: (index, key, starting value)."""
    return tuple(
        (i, scenario.vars[i].key, scenario.vars[i].initial) for i in _hidden(scenario, team)
    )


class View:
    """One seat's window on a game state (cheap: computed on demand, nothing copied up front)."""

    __slots__ = ("_ctx", "keep_secrets", "sc", "seat", "state")

    def __init__(self, state: State, seat: Seat, *, keep_secrets: bool = False) -> None:
        self.state = state
        self.seat = seat
        self.sc = state.scenario
        self._ctx: Projection | None = None
        # a secret-keeping version (a public report) reads as if nothing were revealed
        self.keep_secrets = keep_secrets

    # -- who sees what ---------------------------------------------------
    @property
    def revealed(self) -> bool:
        """At the debrief everyone reads everything: after the game with reveal_at_end, or
        once the white cell reveals it."""
        s = self.state
        return not self.keep_secrets and (s.revealed or (s.ended and self.sc.reveal_at_end))

    @property
    def omniscient(self) -> bool:
        # asked on every expression an automated player evaluates: no nested property
        if self.seat.kind in ("control", "adjudicator"):
            return True
        s = self.state
        return not self.keep_secrets and (s.revealed or (s.ended and self.sc.reveal_at_end))

    @property
    def team_id(self) -> str | None:
        return self.seat.team

    def sees_event(self, event: ev.Event) -> bool:
        kind = self.seat.kind
        if kind == "control":
            return True
        audience = event.audience
        if CONTROL_ONLY in audience:
            return False
        if type(event) in ev.TEAM_ONLY:  # advisors: the team's own, even at the debrief
            return kind == "team" and self.seat.team in audience
        if kind == "adjudicator" or self.revealed or PUBLIC in audience:
            return True
        return kind == "team" and self.seat.team in audience

    def sees_var(self, var: Var) -> bool:
        if self.omniscient or var.visibility == "public":
            return True
        return (
            var.visibility == "owner" and self.seat.team is not None and var.owner == self.seat.team
        )

    # -- events ----------------------------------------------------------
    def sees_action(self, uid: str) -> bool:
        rec = self.state.actions.get(uid)
        return self.omniscient or rec is None or not rec.secret or rec.team == self.seat.team

    def _redact(self, event: ev.Event) -> ev.Event:
        if self.omniscient:
            return event
        if (
            isinstance(event, ev.ActionSubmitted)
            and (event.rationale or event.draft)
            and event.team != self.seat.team
        ):
            # a team argues its case to the adjudicators, not to its rivals
            event = replace(event, rationale="", draft=None)
        if isinstance(event, ev.ActionVoided) and event.team != self.seat.team:
            # why the white cell voided an action is for the acting team
            event = replace(event, reason="")
        if (
            isinstance(event, ev.ProposalTabled)
            and event.draft is not None
            and event.sponsor != self.seat.team
        ):
            event = replace(event, draft=None)  # the sponsor's drafts are its own
        if (
            isinstance(event, ev.AgreementBroken)
            and event.cause == "action"
            and not self.sees_action(event.source)
        ):
            # everyone learns that the agreement broke, not who broke it in secret
            event = replace(event, culprit=None, source="")
        changes = getattr(event, "changes", None)
        if not changes:
            return event
        var = self.sc.var
        kept = tuple(c for c in changes if self.sees_var(var[c[0]]))
        return event if len(kept) == len(changes) else replace(event, changes=kept)  # type: ignore[call-arg]

    def events(self, since: int = 0) -> list[ev.Event]:
        """The events this seat may read with sequence number above ``since``, redacted."""
        return [self._redact(e) for e in self.state.events[max(since, 0) :] if self.sees_event(e)]

    # -- state -----------------------------------------------------------
    def value(self, key: str) -> float | None:
        """The true value if this seat may see it, else None."""
        var = self.sc.var[key]
        return self.state.v[var.index] if self.sees_var(var) else None

    def estimate(self, key: str) -> tuple[float, bool, int] | None:
        """This team's latest intelligence on a hidden variable: (value, exact, round)."""
        if self.seat.team is None:
            return None
        return self.state.intel.get(self.seat.team, {}).get(key)

    def belief(self, var: Var) -> float:
        """What this seat takes a variable to be: true if visible, else estimate, else prior."""
        if self.sees_var(var):
            return self.state.v[var.index]
        est = self.estimate(var.key)
        return est[0] if est is not None else var.initial

    def context(self) -> EvalContext:
        """The state as this seat can evaluate scenario expressions over it."""
        if self.omniscient:
            return self.state
        if self._ctx is None:
            s = self.state
            team = self.seat.team
            cached = s.projections.get(team)
            if cached is not None and cached[0] == s.version:
                self._ctx = cached[1]
                return self._ctx
            injects = self.sc.inject
            inj = {i for i in s.inj if (told := injects[i].audience) is None or team in told}
            v = list(s.v)
            book = s.intel.get(team, {}) if team is not None else {}
            for i, key, initial in _priors(self.sc, team):
                est = book.get(key)
                v[i] = est[0] if est is not None else initial
            self._ctx = Projection(
                tuple(v),  # fixed from here on: agents may know it by its identity
                s.agreement_counts,
                s.clauses_in_force,
                None,
                inj,
                s.round,
                s.action_counts,
                s.actions,
                team,
            )
            s.projections[team] = (s.version, self._ctx)
        return self._ctx

    @property
    def team(self) -> Team | None:
        return self.sc.team.get(self.seat.team) if self.seat.team else None

    def actions(self) -> list[ActionRecord]:
        """Submitted actions this seat may know about. Another team's odds and roll stay
        with that team (they could betray the variables its modifiers read); blind
        estimates stay with control, so adjudicators cannot read each other's."""
        records = self.state.actions.values()
        if self.seat.kind == "control":
            return list(records)
        if self.omniscient:
            return [replace(a, estimates={}) if a.estimates else a for a in records]
        team = self.seat.team
        return [
            replace(a, estimates={})
            if a.team == team
            else replace(a, probability=None, method=None, roll=None, rationale="", estimates={})
            for a in records
            if not a.secret or a.team == team
        ]

    def proposals(self) -> list[ProposalRecord]:
        if self.omniscient:
            return list(self.state.proposals.values())
        team = self.seat.team
        return [p for p in self.state.proposals.values() if team is not None and team in p.audience]

    def channels(self) -> list[Channel]:
        """Channels this seat reads: its team's own chat and those it is a member of."""
        chats = [Channel(f"team:{t}", "", (t,)) for t in self.sc.team_ids]
        every = chats + list(self.state.channels.values())
        if self.omniscient:
            return every
        team = self.seat.team
        return [c for c in every if team is not None and team in c.members]

    def drafts(self) -> list[ev.ActionDrafted | ev.ProposalDrafted]:
        """Drafts of actions and proposals, for the team that wrote them."""
        if self.omniscient:
            return list(self.state.drafts.values())
        return [d for d in self.state.drafts.values() if d.team == self.seat.team]

    def agreements(self) -> list[AgreementRecord]:
        """Agreements are public; who broke one in a secret action is not."""
        out = []
        for rec in self.state.agreements.values():
            hidden = (
                rec.cause == "action"
                and rec.culprit is not None
                and not self.omniscient
                and rec.culprit != self.seat.team
                and self._broken_in_secret(rec.uid)
            )
            out.append(replace(rec, culprit=None) if hidden else rec)
        return out

    def cards(self) -> list[Card]:
        """Reference cards this seat may read: the white cell and adjudicators read every
        card, a team those open to it or to everyone, an observer the public ones; after
        the reveal, everyone reads all."""
        if self.omniscient:
            return list(self.sc.cards)
        team = self.seat.team
        return [c for c in self.sc.cards if c.public or (team is not None and team in c.teams)]

    def _broken_in_secret(self, uid: str) -> bool:
        for e in reversed(self.state.events):
            if isinstance(e, ev.AgreementBroken) and e.uid == uid:
                return not self.sees_action(e.source)
        return False

    # -- plain data for pages, agents and tests --------------------------------
    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        s, sc = self.state, self.sc
        teams = []
        for t in sc.teams:
            entry: dict[str, Any] = {
                "id": t.id,
                "name": localize(t.name, lang),
                "public_objectives": [localize(o, lang) for o in t.public_objectives],
            }
            if self.omniscient or t.id == self.seat.team:
                entry["brief"] = localize(t.brief, lang)
                entry["private_objectives"] = [localize(o, lang) for o in t.private_objectives]
                entry["advisors"] = [
                    {"name": localize(a.name, lang), "expertise": localize(a.expertise, lang)}
                    for a in t.advisors
                ]
            teams.append(entry)
        variables: dict[str, dict[str, Any]] = {}
        for var in sc.vars:
            if self.sees_var(var):
                variables[var.key] = {"value": s.v[var.index], "visible": True}
            else:
                est = self.estimate(var.key)
                variables[var.key] = {
                    "value": None,
                    "visible": False,
                    "estimate": None
                    if est is None
                    else {"value": est[0], "exact": est[1], "round": est[2]},
                }
        current = s.current_round
        return {
            "seat": str(self.seat),
            "scenario": {"id": sc.id, "title": localize(sc.title, lang)},
            "round": s.round,
            "round_kind": current.kind if current else None,
            "round_open": s.round_open,
            "started": s.started,
            "ended": s.ended,
            "date": str(s.date) if s.date else None,
            "teams": teams,
            "variables": variables,
            "actions": [
                {
                    "uid": a.uid,
                    "round": a.round,
                    "team": a.team,
                    "action": a.action,
                    "target": a.target,
                    "secret": a.secret,
                    "instrument": a.instrument,
                    "description": a.description,
                    "rationale": a.rationale,
                    "status": a.status,
                    "probability": a.probability,
                    "roll": a.roll,
                    "success": a.success,
                }
                for a in self.actions()
            ],
            "proposals": [
                {
                    "pid": p.pid,
                    "sponsor": p.sponsor,
                    "agreement": p.agreement,
                    "clauses": list(p.clauses),
                    "parties": list(p.parties),
                    "status": p.status,
                    "signed": list(p.signed),
                    "accepted": list(p.accepted),
                }
                for p in self.proposals()
            ],
            "agreements": [
                {
                    "uid": a.uid,
                    "agreement": a.agreement,
                    "clauses": list(a.clauses),
                    "parties": list(a.parties),
                    "in_force": a.in_force,
                    "signed_round": a.signed_round,
                    "broken_round": a.broken_round,
                    "culprit": a.culprit,
                    "cause": a.cause,
                }
                for a in self.agreements()
            ],
            "paused": s.paused,
            "deadline": s.deadline,
            "remaining": s.remaining,
            "agents": sorted(s.agents),
            "channels": [
                {"channel": c.channel, "name": c.name, "members": list(c.members)}
                for c in self.channels()
            ],
            "drafts": [ev.event_to_dict(d) for d in self.drafts()],
            "events": [ev.event_to_dict(e) for e in self.events()],
            "outcomes": s.outcomes,
            "seed": s.revealed_seed,
            "cards": [card_to_dict(c, lang) for c in self.cards()],
        }


def card_to_dict(card: Card, lang: str = "en") -> dict[str, Any]:
    """A reference card as plain data, its texts in ``lang``."""
    return {
        "id": card.id,
        "title": localize(card.title, lang),
        "body": localize(card.body, lang),
        "facts": dict(card.facts),
        "audience": "public" if card.public else list(card.teams) or "adjudicators",
        "source": None
        if card.source is None
        else {
            "title": card.source.title,
            "author": card.source.author,
            "date": card.source.date,
            "url": card.source.url,
        },
    }


def view(state: State, seat: Seat) -> View:
    """The seat's view of ``state``."""
    return View(state, seat)
