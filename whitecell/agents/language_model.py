"""What a language model is to the engine: messages and a JSON Schema in, text and token
counts out. The OpenAI-compatible client (``whitecell.llm``) and the replay of a recorded
game both satisfy :class:`LanguageModel`; the agents never do I/O themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

Messages = tuple[tuple[str, str], ...]  # (role, content): system, user, assistant


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str


class ModelUnavailable(Exception):
    """The model server could not answer within the retry budget: the game stops cleanly."""


class LanguageModel(Protocol):
    name: str

    def complete(
        self, messages: Messages, schema: dict[str, Any], *, subject: str, purpose: str
    ) -> Reply:
        """One chat completion constrained to ``schema``, for ``subject``'s ``purpose``."""
        ...


@dataclass
class Budget:
    """Tokens one game (or ensemble) may spend on models; None: no limit."""

    limit: int | None = None
    used: int = 0
    prompt: int = 0
    completion: int = 0
    calls: int = 0
    largest: int = 0  # the most tokens one call has taken so far
    announced: set[str] = field(default_factory=set)  # seats already told it ran out

    @property
    def exhausted(self) -> bool:
        """Spent, or too little left for a call as large as the largest so far: a budget
        is a ceiling, so it stops before a call that would likely break it."""
        return self.limit is not None and self.used + self.largest > self.limit

    def spend(self, reply: Reply) -> None:
        self.largest = max(self.largest, reply.prompt_tokens + reply.completion_tokens)
        self.calls += 1
        self.prompt += reply.prompt_tokens
        self.completion += reply.completion_tokens
        self.used += reply.prompt_tokens + reply.completion_tokens
