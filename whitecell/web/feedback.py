"""What a command did, in words, for the answer shown next to the form that sent it:
"Action submitted: Launch a limited offensive → Ukraine — 1 of 2 this round"."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from whitecell.i18n import estimative
from whitecell.scenario.compiled import localize
from whitecell.web.errors import N_
from whitecell.web.i18n import translations
from whitecell.web.rooms import Room

Event = Mapping[str, Any]  # an event as the command's answer lists it

DONE = N_("Done.")
SAID: dict[str, str] = {
    "start_game": N_("The game has started. Open round 1 when everyone is in."),
    "open_round": N_("Round %(n)s is open."),
    "close_round": N_("Round %(n)s is closed."),
    "pause_game": N_("The game is paused: the clock has stopped."),
    "resume_game": N_("The game goes on."),
    "end_game": N_("The game is over. The reports are ready."),
    "reveal_all": N_("Everything is revealed to everyone."),
    "extend_round": N_("The round clock now runs until %(time)s."),
    "submit_action": N_("Action submitted: %(action)s — %(used)s of %(limit)s this round."),
    "draft_action": N_("Draft saved for your lead: %(action)s."),
    "withdraw_action": N_("Action withdrawn: %(action)s."),
    "void_action": N_("Action voided: %(action)s."),
    "resolve_by_rules": N_("%(n)s actions resolved at the rules' odds."),
    "assess": N_("Odds set for %(action)s: %(odds)s (%(words)s)."),
    "rule_by_matrix": N_("Odds set for %(action)s: %(odds)s (%(words)s)."),
    "estimate_odds": N_("Your estimate for %(action)s is in: %(odds)s."),
    "assign_action": N_("%(action)s is assigned to %(person)s."),
    "argue": N_("Your argument is on the table."),
    "roll": N_("Rolled %(roll)s against %(odds)s: %(result)s."),
    "publish_outcome": N_("Outcome published: %(action)s %(result)s."),
    "send_message": N_("Message sent."),
    "open_channel": N_("Channel opened: %(name)s."),
    "publish_statement": N_("Statement published."),
    "table_proposal": N_("Proposal tabled: %(agreement)s."),
    "draft_proposal": N_("Draft saved for your lead: %(agreement)s."),
    "accept_proposal": N_("You accept the proposal in principle."),
    "reject_proposal": N_("You reject the proposal."),
    "sign_proposal": N_("Signed."),
    "fire_inject": N_("Inject fired: %(inject)s."),
    "publish_news": N_("News published."),
    "leak": N_("Passed on to %(teams)s."),
    "seat_agent": N_("%(team)s: %(who)s."),
    "set_advisors": N_("%(team)s: %(what)s."),
}
SUCCEEDED = N_("succeeded")
FAILED = N_("failed")
AGREEMENT_IN_FORCE = N_("Signed: the agreement is in force.")
AUTOMATED = N_("an automated player now plays it")
PEOPLE = N_("people play it again")
ADVISORS_SET = {
    (False, True): N_("advisors off for round %(n)s"),
    (True, True): N_("advisors on for round %(n)s"),
    (False, False): N_("advisors off for every round"),
    (True, False): N_("advisors on for every round"),
}


def said(room: Room, kind: str, events: Sequence[Event]) -> str:
    """The answer to a command of ``kind`` that caused ``events``, in the room's language."""
    gettext = translations(room.lang).gettext
    template = SAID.get(kind)
    if template is None:
        return gettext(DONE)
    words = _WORDS.get(kind)
    try:
        values = words(room, events, gettext) if words is not None else {}
        if kind == "sign_proposal" and any(e.get("type") == "agreement_signed" for e in events):
            return gettext(AGREEMENT_IN_FORCE)
        return gettext(template) % values
    except (KeyError, IndexError, TypeError, ValueError):
        return gettext(DONE)  # an answer worded differently than expected still succeeded


def _first(events: Sequence[Event], kind: str) -> Event:
    return next(e for e in events if e.get("type") == kind)


def _action(room: Room, uid: str) -> str:
    rec = room.state.actions[uid]
    spec = room.sc.action.get(rec.action)
    label = localize(spec.label, room.lang) if spec else rec.description[:80]
    return label + (f" → {room.names[rec.target]}" if rec.target in room.names else "")


def _pct(p: float) -> str:
    return f"{p * 100:.0f}%"


Words = Callable[[Room, Sequence[Event], Callable[[str], str]], dict[str, Any]]


def _round(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    return {"n": events[0]["round"]}


def _submitted(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    uid = _first(events, "action_submitted")["uid"]
    return {"action": _action(room, uid), "used": room.acts.used, "limit": room.acts.limit}


def _drafted(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    e = events[0]
    spec = room.sc.action.get(e.get("action", ""))
    if spec is not None:
        return {"action": localize(spec.label, room.lang)}
    if "agreement" in e:
        return {"agreement": localize(room.sc.agreements[e["agreement"]].label, room.lang)}
    return {"action": str(e.get("description", ""))[:80]}


def _about_action(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    e = events[0]
    out: dict[str, Any] = {"action": _action(room, e["uid"])}
    if "probability" in e:
        out |= {"odds": _pct(e["probability"]), "words": estimative(e["probability"], room.lang)}
    if "adjudicator" in e:
        out["person"] = e["adjudicator"]
    return out


def _resolved(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    return {"n": sum(1 for e in events if e.get("type") == "outcome_applied")}


def _rolled(room: Room, events: Sequence[Event], gettext: Callable[[str], str]) -> dict[str, Any]:
    e = _first(events, "dice_rolled")
    return {
        "roll": f"{e['value']:.2f}",
        "odds": _pct(e["threshold"]),
        "result": gettext(SUCCEEDED if e["success"] else FAILED),
    }


def _published(
    room: Room, events: Sequence[Event], gettext: Callable[[str], str]
) -> dict[str, Any]:
    e = _first(events, "outcome_applied")
    rec = room.state.actions[e["uid"]]
    return {
        "action": _action(room, e["uid"]),
        "result": gettext(SUCCEEDED if rec.success else FAILED),
    }


def _channel(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    e = events[0]
    return {"name": e.get("name") or ", ".join(room.names[m] for m in e["members"])}


def _tabled(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    e = _first(events, "proposal_tabled")
    return {"agreement": localize(room.sc.agreements[e["agreement"]].label, room.lang)}


def _fired(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    e = _first(events, "inject_fired")
    inject = room.sc.inject.get(e["inject"])
    return {"inject": localize(inject.label, room.lang) if inject else e.get("news", "")[:80]}


def _leaked(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    return {"teams": ", ".join(room.names[t] for t in events[0]["teams"])}


def _seated(room: Room, events: Sequence[Event], gettext: Callable[[str], str]) -> dict[str, Any]:
    e = events[0]
    return {"team": room.names[e["team"]], "who": gettext(AUTOMATED if e["seated"] else PEOPLE)}


def _advisors_set(
    room: Room, events: Sequence[Event], gettext: Callable[[str], str]
) -> dict[str, Any]:
    e = events[0]
    what = gettext(ADVISORS_SET[bool(e["enabled"]), e["number"] is not None])
    return {"team": room.names[e["team"]], "what": what % {"n": e["number"]}}


def _clock(room: Room, events: Sequence[Event], _: Callable[[str], str]) -> dict[str, Any]:
    deadline = str(events[0].get("deadline") or "")
    return {"time": deadline[11:16] + " UTC" if len(deadline) >= 16 else deadline}


_WORDS: dict[str, Words] = {
    "open_round": _round,
    "close_round": _round,
    "extend_round": _clock,
    "submit_action": _submitted,
    "draft_action": _drafted,
    "withdraw_action": _about_action,
    "void_action": _about_action,
    "resolve_by_rules": _resolved,
    "assess": _about_action,
    "rule_by_matrix": _about_action,
    "estimate_odds": _about_action,
    "assign_action": _about_action,
    "roll": _rolled,
    "publish_outcome": _published,
    "open_channel": _channel,
    "table_proposal": _tabled,
    "draft_proposal": _drafted,
    "fire_inject": _fired,
    "leak": _leaked,
    "seat_agent": _seated,
    "set_advisors": _advisors_set,
}


__all__ = ["said"]
