"""What has happened, as the seat may know it: the story told round by round (the newest
round first, each in the order things happened), and the announcements that change the
game for everyone who may see them (a banner each, until dismissed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from whitecell.engine import events as ev
from whitecell.narrate import Narrator
from whitecell.web.rooms.base import RoomCore, plain

# events worth a banner, and the banner's tone
ANNOUNCED: dict[type[ev.Event], str] = {
    ev.RoundOpened: "info",
    ev.RoundClosed: "info",
    ev.InjectFired: "warn",
    ev.AgreementSigned: "good",
    ev.AgreementBroken: "bad",
    ev.GamePaused: "warn",
    ev.GameResumed: "info",
    ev.GameEnded: "info",
    ev.IntelligenceLeaked: "warn",
    ev.ClockSet: "info",
    ev.ActionVoided: "warn",
}
KEEP = 6  # the newest announcements a room shows


@dataclass
class Chapter:
    round: int
    lines: list[str] = field(default_factory=list)


@dataclass
class Announcement:
    seq: int
    round: int
    tone: str
    text: str


class Story:
    def __init__(self, room: RoomCore) -> None:
        self.room = room
        self.by_seq: dict[int, list[str]] = {}  # what each event told, once told

    def lines_of(self, seq: int) -> list[str]:
        """What event ``seq`` told this seat (empty if it told nothing)."""
        self.told  # noqa: B018 - telling fills by_seq
        return self.by_seq.get(seq, [])

    @cached_property
    def told(self) -> tuple[list[Chapter], list[Announcement]]:
        """Tell every event the seat may read once, keeping each line with its round."""
        room = self.room
        narrator = Narrator(room.sc, room.lang)
        chapters = [Chapter(0)]
        announcements: list[Announcement] = []
        by_seq = self.by_seq
        for e in room.events:
            if isinstance(e, ev.RoundOpened):
                # what the last round changed closes its own chapter, before the next begins
                before = len(narrator.lines)
                narrator.summarise_round()
                chapters[-1].lines += [
                    line for line in (plain(x).strip() for x in narrator.lines[before:]) if line
                ]
            before = len(narrator.lines)
            narrator.on(e)
            lines = [plain(line).strip() for line in narrator.lines[before:]]
            lines = [line for line in lines if line]
            if lines:
                by_seq[e.seq] = lines
            if isinstance(e, ev.RoundOpened):
                chapters.append(Chapter(e.round))
            chapters[-1].lines += lines
            tone = ANNOUNCED.get(type(e))
            if tone is not None and lines:
                announcements.append(Announcement(e.seq, e.round, tone, " ".join(lines)))
        return chapters, announcements

    @property
    def chapters(self) -> list[Chapter]:
        """Newest round first; within a round, in the order it happened."""
        return [c for c in reversed(self.told[0]) if c.lines]

    @property
    def announcements(self) -> list[Announcement]:
        """The newest announcements of the round now open (or just closed), newest first:
        a new round's opening clears the last round's banners; the story keeps them."""
        now = self.room.state.round
        return list(reversed([a for a in self.told[1] if a.round >= now][-KEEP:]))
