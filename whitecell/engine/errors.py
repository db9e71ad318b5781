"""The one exception the engine's rules raise.

A violation names a message of the interface catalogue (``whitecell/i18n/messages.yaml``,
keys ``violation.*``) and its values, so a player reads it in their own language::

    raise RuleViolation("violation.action_limit", team=team, limit=limit)

A value that is a :class:`Phrase` is itself a catalogue message, translated along with
the rest (``what=Phrase("violation.do.start_game")``). ``message`` is the English text;
``text(lang)`` the text in any interface language. A string that is not a catalogue key
is taken as literal English text, the same in every language.

The values are the game's ids (of teams, catalogue actions...), which the rule cases and
logs match. People read names: ``text(lang, names=state)`` (or a scenario) puts the
scenario's names in place of the ids, by what each value is (``team``, ``action``,
``clause``...); ``texts(names)`` gives every interface language at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whitecell.engine.state import State
from whitecell.i18n import LANGUAGES, catalogue, t
from whitecell.scenario.compiled import Scenario, localize


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

    def text(self, lang: str, names: Scenario | State | None = None) -> str:
        """The message in ``lang`` (``en`` or ``ja``; English if there is no translation),
        naming teams, actions, clauses... by the scenario's names when ``names`` (the
        game's state, or its scenario) is given, else by their ids."""
        if not self.known:
            return self.key
        namer = None if names is None else _Namer(names, self.key, lang)
        values = {}
        for name, value in self.params.items():
            if isinstance(value, Phrase):
                value = value.text(lang)
            elif namer is not None and isinstance(value, str):
                value = namer(name, value)
            values[name] = value
        return t(self.key, lang, **values)

    def texts(self, names: Scenario | State | None = None) -> dict[str, str]:
        """The message in every interface language (``{"en": ..., "ja": ...}``)."""
        return {lang: self.text(lang, names) for lang in LANGUAGES}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.key, self.params))


# What each value of a message is, by the value's name: the kind of thing it names, and
# whether it is a list (ids joined by ", ").
_KINDS: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(("team", "target", "sponsor", "sender", "who"), ("actor", False)),
    **dict.fromkeys(("teams", "targets", "parties", "roles"), ("actor", True)),
    "seat": ("seat", False),
    "action": ("action", False),
    "variable": ("variable", False),
    "variables": ("variable", True),
    "clause": ("clause", False),
    "clauses": ("clause", True),
    "missing": ("clause", True),
    "agreement": ("agreement", False),
    "agreements": ("agreement", True),
    "inject": ("inject", False),
    "injects": ("inject", True),
    "uid": ("uid", False),
    "uids": ("uid", True),
    "pid": ("pid", False),
    "channel": ("channel", False),
}
# refusals that must not name what they refuse: the seat may not know it exists (another
# team's secret action, a proposal or channel it is not party to)
_UNNAMED = frozenset({"violation.no_action", "violation.no_proposal", "violation.no_channel"})
_FREE_LABEL = 40  # characters of a free-form action's description that name it


class _Namer:
    """Puts names in place of ids for one message in one language."""

    def __init__(self, names: Scenario | State, key: str, lang: str) -> None:
        self.state = names if isinstance(names, State) else None
        self.sc = names.scenario if isinstance(names, State) else names
        self.lang = lang
        self.hidden = key in _UNNAMED
        self.by_kind: dict[str, Callable[[str], str]] = {
            "actor": self.actor,
            "seat": self.seat,
            "action": self.action,
            "variable": self.variable,
            "clause": self.clause,
            "agreement": self.agreement,
            "inject": self.inject,
            "uid": self.uid,
            "pid": self.pid,
            "channel": self.channel,
        }

    def __call__(self, param: str, value: str) -> str:
        kind = _KINDS.get(param)
        if kind is None or self.hidden:
            return value
        name = self.by_kind[kind[0]]
        if not kind[1]:
            return name(value)
        sep = "、" if self.lang == "ja" else ", "
        return sep.join(name(part) for part in value.split(", "))

    def quoted(self, text: str) -> str:
        return f"「{text}」" if self.lang == "ja" else f"'{text}'"

    def actor(self, who: str) -> str:
        return self.sc.actor_name(who, self.lang)

    def seat(self, seat: str) -> str:
        team = seat.removeprefix("team:")
        return self.actor(team) if team != seat else seat

    def action(self, action: str) -> str:
        spec = self.sc.action.get(action)
        return localize(spec.label, self.lang) if spec is not None else action

    def variable(self, key: str) -> str:
        var = self.sc.var.get(key)
        if var is None:
            return key
        label = localize(var.label, self.lang)
        return f"{label} ({self.actor(var.team)})" if var.team else label

    def clause(self, clause: str) -> str:
        spec = self.sc.clauses.get(clause)
        return localize(spec.label, self.lang) if spec is not None else clause

    def agreement(self, kind: str) -> str:
        spec = self.sc.agreements.get(kind)
        return localize(spec.label, self.lang) if spec is not None else kind

    def inject(self, inject: str) -> str:
        spec = self.sc.inject.get(inject)
        return localize(spec.label, self.lang) if spec is not None else inject

    def uid(self, uid: str) -> str:
        """An action by what it does and who does it: 'Patrol the border' by Red."""
        rec = None if self.state is None else self.state.actions.get(uid)
        if rec is None:
            return uid
        spec = self.sc.action.get(rec.action)
        if spec is not None:
            label = localize(spec.label, self.lang)
        else:
            text = " ".join(rec.description.split())
            label = text if len(text) <= _FREE_LABEL else text[: _FREE_LABEL - 1] + "…"
        team = self.actor(rec.team)
        return t("names.action", self.lang, label=self.quoted(label), team=team)

    def pid(self, pid: str) -> str:
        """A proposal by its kind of agreement and its sponsor."""
        p = None if self.state is None else self.state.proposals.get(pid)
        if p is None:
            return pid
        label = self.quoted(self.agreement(p.agreement))
        return t("names.proposal", self.lang, label=label, team=self.actor(p.sponsor))

    def channel(self, channel: str) -> str:
        if channel.startswith("team:"):
            return self.seat(channel)
        found = None if self.state is None else self.state.channels.get(channel)
        if found is None:
            return channel
        sep = "、" if self.lang == "ja" else ", "
        return found.name or sep.join(self.actor(m) for m in found.members)
