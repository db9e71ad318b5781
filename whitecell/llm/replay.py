"""Replaying a recorded game's model answers: the log's ``model_called`` events, served in
order to the same seats and purposes, so the game can be played again without a server."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from whitecell.agents.language_model import Messages, ModelUnavailable, Reply
from whitecell.engine import events as ev


class ReplayModel:
    def __init__(self, events: Iterable[ev.Event], source: str = "the log") -> None:
        self.source = source
        self.queues: dict[tuple[str, str], deque[ev.ModelCalled]] = {}
        names = set()
        for e in events:
            if isinstance(e, ev.ModelCalled):
                self.queues.setdefault((e.subject, e.purpose), deque()).append(e)
                names.add(e.model)
        self.name = ", ".join(sorted(names)) or "replay"
        self.served = 0

    @property
    def recorded(self) -> int:
        return sum(len(q) for q in self.queues.values()) + self.served

    def complete(
        self, messages: Messages, schema: dict[str, Any], *, subject: str, purpose: str
    ) -> Reply:
        queue = self.queues.get((subject, purpose))
        if not queue:
            raise ModelUnavailable(
                f"{self.source} has no more recorded answers for {subject} ({purpose}): "
                "the game went another way than the recorded one"
            )
        e = queue.popleft()
        self.served += 1
        return Reply(e.response, e.prompt_tokens, e.completion_tokens, e.model)
