"""The white cell's dashboard: each team's status this round, what needs control's
attention, the injects with what they will do, events that can be leaked (in words), the
join links, the automated players, and the log a page at a time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from whitecell.engine import events as ev
from whitecell.narrate import Narrator, leak_words
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.actions import DONE, Effect, effect_words
from whitecell.web.rooms.base import UNRESOLVED, Model, RoomCore, plain
from whitecell.web.rooms.story import Story

LOG_PAGE = 50  # events on a page of the log
LEAKABLE = 80  # the newest events offered for a leak


@dataclass
class TeamStatus:
    team: str
    name: str
    colour: str
    people: list[str]
    automated: str | None  # heuristic | llm, when an automated player sits
    thinking: bool
    submitted: int
    limit: int
    drafts: int
    waiting: int  # open proposals the team has not signed


@dataclass
class InjectPreview:
    id: str
    label: str
    news: str
    round: int | None
    conditional: bool
    fired: bool
    once: bool
    effects: list[Effect]
    audience: list[str]  # team names; empty: everyone


class Control:
    def __init__(self, room: RoomCore, story: Story) -> None:
        self.room = room
        self.story = story

    @cached_property
    def teams(self) -> list[TeamStatus]:
        room = self.room
        state = room.state
        current = room.current
        limit = current.actions_per_team if current is not None and current.kind == "action" else 0
        people: dict[str, list[str]] = {}
        for row in room.seating.links:
            if row.seat.startswith("team:") and not row.revoked:
                people.setdefault(row.seat.removeprefix("team:"), []).append(
                    row.person + (" ★" if row.lead else "")
                )
        drafts: dict[str, int] = {}
        for d in state.drafts.values():
            drafts[d.team] = drafts.get(d.team, 0) + 1
        out = []
        for team, name in room.teams:
            submitted = sum(
                1
                for a in state.actions.values()
                if a.team == team and a.round == state.round and a.status not in DONE
            )
            waiting = sum(
                1
                for p in state.proposals.values()
                if p.status == "open" and team in p.parties and team not in p.signed
            )
            out.append(
                TeamStatus(
                    team=team,
                    name=name,
                    colour=room.colour[team],
                    people=people.get(team, []),
                    automated=room.seating.agent_kinds.get(team, "heuristic")
                    if room.automated(team)
                    else None,
                    thinking=team in room.seating.thinking,
                    submitted=submitted,
                    limit=limit,
                    drafts=drafts.get(team, 0),
                    waiting=waiting,
                )
            )
        return out

    @property
    def unresolved(self) -> int:
        """Actions of the open round not yet published: they keep the round from closing."""
        state = self.room.state
        return sum(
            1 for a in state.actions.values() if a.round == state.round and a.status in UNRESOLVED
        )

    @property
    def free_unresolved(self) -> int:
        """Of those, the free-form ones: the rules give no odds for them."""
        state, sc = self.room.state, self.room.sc
        return sum(
            1
            for a in state.actions.values()
            if a.round == state.round and a.status in UNRESOLVED and a.action not in sc.action
        )

    @cached_property
    def injects(self) -> list[InjectPreview]:
        room = self.room
        sc, lang = room.sc, room.lang
        every = {v.index for v in sc.vars}
        out = []
        for i in sc.injects:
            effects, _ = effect_words(sc, i.effects, "", None, lang, every)
            out.append(
                InjectPreview(
                    id=i.id,
                    label=localize(i.label, lang),
                    news=localize(i.news, lang),
                    round=i.round,
                    conditional=i.when is not None or i.chance is not None,
                    fired=i.id in room.state.inj,
                    once=i.once,
                    effects=effects,
                    audience=[room.names[t] for t in (i.audience or ())],
                )
            )
        return out

    @property
    def due(self) -> list[InjectPreview]:
        """Scenario injects of this round that have not fired."""
        return [i for i in self.injects if i.round == self.room.round and not i.fired]

    @cached_property
    def leakable(self) -> list[Model]:
        """Events a team could be given as intelligence, in the words the team will read:
        round, who, what. An event its receivers could not read (the outcome of an action
        they never heard of reads as "an entry of the game's record", its odds as the odds of
        "an action") is not offered."""
        room = self.room
        sc, lang = room.sc, room.lang
        everyone = Narrator(sc, lang)  # what every team knows: the public actions
        everyone.submitted = {
            e.uid: e
            for e in room.state.events
            if isinstance(e, ev.ActionSubmitted) and "*" in e.audience
        }
        out = []
        for e in reversed(room.state.events):
            if "*" in e.audience or isinstance(e, ev.ModelCalled | ev.ModelFellBack):
                continue  # public already, or the white cell's own records
            what = leak_words(sc, lang, e, everyone)
            if what is None:
                continue
            acting = e.actor.removeprefix("team:")
            who = room.names.get(acting, "") if acting in sc.team_ids else ""
            out.append({"seq": e.seq, "round": e.round, "who": who, "what": plain(what)})
            if len(out) >= LEAKABLE:
                break
        return out

    @property
    def links(self) -> list[Model]:
        """Join links by seat, named as people say them."""
        room = self.room
        out = []
        for row in room.seating.links:
            kind, _, team = row.seat.partition(":")
            out.append(
                {
                    "id": row.id,
                    "seat": row.seat,
                    "seat_name": room.names.get(team, "") if team else kind,
                    "kind": kind,
                    "colour": room.colour.get(team, ""),
                    "person": row.person,
                    "lead": row.lead,
                    "revoked": row.revoked,
                }
            )
        return out

    @property
    def notices(self) -> list[Model]:
        names = self.room.names
        return [
            {"kind": n.kind, "team": names.get(n.team, n.team), "detail": n.detail}
            for n in reversed(self.room.seating.notices)
        ]

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.room.state.events) // LOG_PAGE))

    @property
    def page(self) -> int:
        return min(max(self.room.seating.log_page, 0), self.pages - 1)

    @cached_property
    def log(self) -> list[Model]:
        """One page of the raw log, newest first (the white cell's record)."""
        events = self.room.state.events
        end = len(events) - self.page * LOG_PAGE
        start = max(end - LOG_PAGE, 0)
        return [
            {
                "seq": e.seq,
                "type": e.type,
                "round": e.round,
                "audience": ", ".join(e.audience),
                "by": e.by or e.actor,
                "told": " ".join(self.story.lines_of(e.seq)),
                "data": json.dumps(ev.event_to_dict(e), ensure_ascii=False)[:600],
            }
            for e in reversed(events[start:end])
        ]
