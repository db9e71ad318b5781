"""The talks a seat may follow: channels and their messages, proposals with their history
of counters, who signed, accepted or rejected (and why), and each agreement's state (with
its breakdown hazard, for the white cell)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from whitecell.engine import events as ev
from whitecell.engine.decide import hazard
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.base import Model, RoomCore

SHOWN = 40  # the newest messages of a channel a page shows: a long game stays light


@dataclass
class Channel:
    id: str
    name: str
    members: tuple[str, ...]
    own_chat: bool  # a team's own chat, not a channel between teams
    messages: list[Model] = field(default_factory=list)  # the newest SHOWN
    total: int = 0  # every message of the channel, for the unread count


@dataclass
class Proposal:
    pid: str
    round: int
    sponsor: str
    sponsor_name: str
    agreement: str
    agreement_label: str
    clauses: list[str]
    clause_ids: list[str]
    parties: list[tuple[str, str, str]]  # (team, name, colour)
    status: str
    signed: list[str]
    accepted: list[str]
    rejected: list[tuple[str, str]]  # (who, why)
    counter_to: str | None
    history: list[str]  # the proposals this one counters, oldest first
    mine: bool
    i_signed: bool
    automated: list[str]  # the parties played by automated players


@dataclass
class Agreement:
    uid: str
    label: str
    clauses: list[str]
    parties: list[tuple[str, str, str]]
    in_force: bool
    signed_round: int
    broken_round: int | None
    culprit: str
    hazard: float | None  # the chance it breaks down at the next round's close (control)


class Talks:
    def __init__(self, room: RoomCore) -> None:
        self.room = room

    @cached_property
    def channels(self) -> list[Channel]:
        room = self.room
        out = [
            Channel(
                c.channel,
                c.name or ", ".join(room.names[m] for m in c.members),
                c.members,
                c.channel.startswith("team:"),
            )
            for c in room.view.channels()
        ]
        by_id = {c.id: c for c in out}
        found: dict[str, list[ev.MessageSent]] = {c.id: [] for c in out}
        for e in room.events:
            if isinstance(e, ev.MessageSent) and e.channel in by_id:
                found[e.channel].append(e)
        for channel, sent in found.items():
            by_id[channel].total = len(sent)
            by_id[channel].messages = [self._message(e) for e in sent[-SHOWN:]]
        return out

    @cached_property
    def direct(self) -> list[Model]:
        """The newest messages sent to teams by name rather than into a channel."""
        sent = [e for e in self.room.events if isinstance(e, ev.MessageSent) and not e.channel]
        return [self._message(e) for e in sent[-SHOWN:]]

    def _message(self, e: ev.MessageSent) -> Model:
        names = self.room.names
        return {
            "seq": e.seq,
            "sender": names.get(e.sender, e.sender),
            "colour": self.room.colour.get(e.sender, "control"),
            "by": e.by or "",
            "to": [names.get(x, x) for x in e.to],
            "text": e.text,
            "round": e.round,
        }

    @cached_property
    def proposals(self) -> list[Proposal]:
        """The proposals this seat may read, newest first."""
        room = self.room
        sc, lang, names, team = room.sc, room.lang, room.names, room.team
        rejected: dict[str, list[tuple[str, str]]] = {}
        for e in room.events:
            if isinstance(e, ev.ProposalRejected):
                rejected.setdefault(e.pid, []).append((names.get(e.team, e.team), e.reason))
        records = room.view.proposals()
        by_pid = {p.pid: p for p in records}
        clause = {c: localize(x.label, lang) for c, x in sc.clauses.items()}
        out = []
        for p in records:
            history: list[str] = []
            earlier = p.counter_to
            while earlier is not None and earlier in by_pid and len(history) < 20:
                history.append(earlier)
                earlier = by_pid[earlier].counter_to
            out.append(
                Proposal(
                    pid=p.pid,
                    round=p.round,
                    sponsor=p.sponsor,
                    sponsor_name=names.get(p.sponsor, p.sponsor),
                    agreement=p.agreement,
                    agreement_label=localize(sc.agreements[p.agreement].label, lang),
                    clauses=[clause[c] for c in p.clauses],
                    clause_ids=list(p.clauses),
                    parties=[(x, names[x], room.colour.get(x, "")) for x in p.parties],
                    status=p.status,
                    signed=[names[x] for x in p.signed],
                    accepted=[names[x] for x in p.accepted],
                    rejected=rejected.get(p.pid, []),
                    counter_to=p.counter_to,
                    history=list(reversed(history)),
                    mine=team in p.parties if team else False,
                    i_signed=team in p.signed if team else False,
                    automated=[names[x] for x in p.parties if room.automated(x)],
                )
            )
        return list(reversed(out))

    @property
    def open_proposals(self) -> list[Proposal]:
        return [p for p in self.proposals if p.status == "open"]

    @cached_property
    def agreements(self) -> list[Agreement]:
        room = self.room
        sc, lang, names = room.sc, room.lang, room.names
        control = room.kind == "control"
        out = []
        for a in room.view.agreements():
            kind = sc.agreements[a.agreement]
            chance = hazard(kind, room.state) if control and a.in_force else None
            out.append(
                Agreement(
                    uid=a.uid,
                    label=localize(kind.label, lang),
                    clauses=[localize(sc.clauses[c].label, lang) for c in a.clauses],
                    parties=[(x, names[x], room.colour.get(x, "")) for x in a.parties],
                    in_force=a.in_force,
                    signed_round=a.signed_round,
                    broken_round=a.broken_round,
                    culprit=names.get(a.culprit or "", ""),
                    hazard=chance,
                )
            )
        return out

    @cached_property
    def timeline(self) -> list[Model]:
        """Each agreement as a bar over the game's rounds, from its signature to its
        breakdown (or to now): the shape of the talks at a glance. Offsets and widths are
        percentages of the track."""
        room = self.room
        rounds = max(room.rounds, 1)
        now = min(max(room.round, 1), rounds)
        out = []
        for a in self.agreements:
            start = min(max(a.signed_round, 1), rounds)
            end = min(a.broken_round or now, rounds)
            out.append(
                {
                    "label": a.label,
                    "start": start,
                    "end": max(end, start),
                    "broken": not a.in_force,
                    "left": round(100 * (start - 1) / rounds, 2),
                    "width": round(100 * (max(end, start) - start + 1) / rounds, 2),
                }
            )
        return out

    @cached_property
    def kinds(self) -> list[Model]:
        """The agreements a proposal may be tabled for, with their clauses and who each
        clause binds (the page ticks the parties as clauses are ticked)."""
        room = self.room
        sc, lang = room.sc, room.lang
        in_force = {a.agreement for a in room.view.agreements() if a.in_force}
        out = []
        for k, kind in sc.agreements.items():
            label = localize(kind.label, lang)
            out.append(
                {
                    "id": k,
                    "label": label,
                    "in_force": k in in_force,
                    "parties": list(kind.parties),
                    "clauses": [
                        {
                            "id": c,
                            "label": localize(sc.clauses[c].label, lang),
                            "required": c in kind.required,
                            "parties": list(sc.clauses[c].parties),
                        }
                        for c in (*kind.required, *kind.optional)
                    ],
                }
            )
        return out

    @cached_property
    def drafts(self) -> list[Model]:
        room = self.room
        return [
            {
                "draft": d.draft,
                "by": d.by or "",
                "agreement": d.agreement,
                "clause_ids": list(d.clauses),
                "clauses": [localize(room.sc.clauses[c].label, room.lang) for c in d.clauses],
            }
            for d in room.view.drafts()
            if isinstance(d, ev.ProposalDrafted)
        ]
