"""The one exception the engine's rules raise.

A violation names a message of the interface catalogue (``whitecell/i18n/messages.yaml``,
keys ``violation.*``) and its values, so a player reads it in their own language::

    raise RuleViolation("violation.action_limit", team=team, limit=limit)

A value that is a :class:`Phrase` is itself a catalogue message, translated along with
the rest (``what=Phrase("violation.do.start_game")``). ``message`` is the English text;
``text(lang)`` the text in any interface language. A string that is not a catalogue key
is taken as literal English text, the same in every language.
"""

from __future__ import annotations

from typing import Any

from whitecell.i18n import catalogue, t


class Phrase:
    """A part of a message that the catalogue translates (the key of a message without values)."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def text(self, lang: str) -> str:
        return t(self.key, lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r})"


def _rebuild(key: str, params: dict[str, Any]) -> RuleViolation:
    return RuleViolation(key, **params)


class RuleViolation(Exception):
    """A command the rules of the game do not allow, with a message a player can act on."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        self.message = self.text("en")
        super().__init__(self.message)

    @property
    def known(self) -> bool:
        """Whether ``key`` is a catalogue message (else it is literal English text)."""
        return self.key in catalogue()

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``en`` or ``ja``; English if there is no translation)."""
        if not self.known:
            return self.key
        values = {
            name: value.text(lang) if isinstance(value, Phrase) else value
            for name, value in self.params.items()
        }
        return t(self.key, lang, **values)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.key, self.params))
