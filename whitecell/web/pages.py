"""The pages: server-rendered rooms for each seat, refreshed live over SSE with htmx.

A room is a set of panels. The page subscribes to ``/games/{id}/live``; every
event the seat may see sends a ``changed`` message and each panel re-fetches its
own fragment, so what a page shows is always a fresh rendering of the seat's view.
Forms post commands through the same path as the JSON API.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import statistics
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import jinja2
from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from rich.text import Text as RichText

from whitecell.adjudication.matrix import FREE_FORM_BASE
from whitecell.engine import events as ev
from whitecell.engine.commands import MAX_ARGUMENTS
from whitecell.engine.view import View, card_to_dict
from whitecell.i18n import estimative, t
from whitecell.narrate import narrate
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import bundled_ids, load_bundled
from whitecell.web import app as webapp
from whitecell.web.app import N_
from whitecell.web.auth import (
    ACCOUNT_COOKIE,
    LANG_COOKIE,
    SEAT_COOKIE,
    Caller,
    check_password,
    hash_password,
)
from whitecell.web.i18n import LANGUAGES, pick, translations
from whitecell.web.reports import (
    REPORT_AUDIENCES,
    REPORT_CSP,
    REPORT_FORMATS,
    REPORT_NOT_YET,
    Refusal,
    Reports,
    report_option,
)

PANELS = {
    "control": ("clock", "controls", "queue", "desk", "injects", "state", "talks", "seats", "log"),
    "adjudicator": ("clock", "desk", "state", "story"),
    "team": ("clock", "brief", "state", "act", "talks", "proposals", "story"),
    "observer": ("clock", "state", "story"),
}
LIST_FIELDS = {"clauses", "to", "members", "teams", "strong"}
KENT = (0.93, 0.75, 0.5, 0.3, 0.07)  # Sherman Kent's words of estimative probability
DRAFT_FAILED = N_("The model could not draft these odds (%(reason)s); the rules' odds stand.")


def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("whitecell.web", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.globals["languages"] = LANGUAGES
    env.globals["t"] = lambda key, **values: t(key, lang, **values)
    env.filters["pct"] = lambda p: "" if p is None else f"{p * 100:.0f}%"
    return env


ENVIRONMENTS: dict[str, jinja2.Environment] = {}


def render(lang: str, template: str, **values: Any) -> str:
    env = ENVIRONMENTS.get(lang)
    if env is None:
        env = ENVIRONMENTS[lang] = _environment(lang)
    return env.get_template(template).render(**values)


def plain(markup: str) -> str:
    return RichText.from_markup(markup).plain


# -- what a room shows ------------------------------------------------------------------


def room(live: Any, who: Caller, lang: str, ctx: Any) -> dict[str, Any]:
    """Everything a seat's room shows, read through the seat's view."""
    view: View = live.game.view(who.seat)
    state, sc = live.state, live.scenario
    data = view.to_dict(lang)
    current = state.current_round
    team = who.seat.team
    names = {t.id: localize(t.name, lang) for t in sc.teams} | {
        r: localize(role.name, lang) for r, role in sc.roles.items()
    }
    clause_names = {c: localize(x.label, lang) for c, x in sc.clauses.items()}
    variables = []
    for var in sc.vars:
        entry = data["variables"][var.key]
        label = localize(var.label, lang) + (f" ({names[var.team]})" if var.team else "")
        variables.append(
            {
                "key": var.key,
                "label": label,
                "value": entry["value"],
                "visible": entry["visible"],
                "estimate": entry.get("estimate"),
                "flag": var.is_flag,
                "unit": localize(var.unit, lang) if var.unit else "",
            }
        )
    actions = []
    for a in view.actions():
        spec = sc.action.get(a.action)
        arguing = (
            state.round_open
            and a.round == state.round
            and a.status in ("submitted", "assessed")
            and not state.paused
        )
        actions.append(
            {
                "uid": a.uid,
                "round": a.round,
                "team": a.team,
                "team_name": names.get(a.team, a.team),
                "label": localize(spec.label, lang) if spec else a.description,
                "free": spec is None,
                "instrument": a.instrument,
                "target": a.target,
                "target_name": names.get(a.target or "", ""),
                "secret": a.secret,
                "status": a.status,
                "probability": a.probability,
                "roll": a.roll,
                "success": a.success,
                "rationale": a.rationale,
                "description": a.description,
                "adjudicator": a.adjudicator,
                "method": a.method,
                "words": estimative(a.probability, lang) if a.probability is not None else "",
                # matrix adjudication: what each team argued, and what this team may argue
                "arguments": [
                    {"team": t, "team_name": names.get(t, t), "side": side, "text": text}
                    for t, side, text in a.arguments
                ],
                "argue": (
                    ("for" if a.team == team else "against")
                    if team
                    and arguing
                    and sum(1 for t, _, _ in a.arguments if t == team) < MAX_ARGUMENTS
                    else None
                ),
            }
        )
    catalogue = []
    if team:
        for spec in sc.actions:
            if team in spec.teams:
                catalogue.append(
                    {
                        "id": spec.id,
                        "label": localize(spec.label, lang),
                        "instrument": spec.instrument,
                        "secret": spec.secret,
                        "targets": [(t, names[t]) for t in (spec.targets or ()) if t != team],
                    }
                )
    channels = []
    for c in view.channels():
        channels.append(
            {
                "id": c.channel,
                "name": c.name or ", ".join(names[m] for m in c.members),
                "members": c.members,
                "messages": [],
            }
        )
    by_channel = {c["id"]: c for c in channels}
    direct: list[dict[str, Any]] = []
    for e in view.events():
        if isinstance(e, ev.MessageSent):
            item = {
                "seq": e.seq,
                "sender": names.get(e.sender, e.sender),
                "by": e.by or "",
                "to": [names.get(x, x) for x in e.to],
                "text": e.text,
                "round": e.round,
            }
            if e.channel and e.channel in by_channel:
                by_channel[e.channel]["messages"].append(item)
            else:
                direct.append(item)
    proposals = []
    for p in view.proposals():
        proposals.append(
            {
                "pid": p.pid,
                "sponsor": names.get(p.sponsor, p.sponsor),
                "agreement": p.agreement,
                "agreement_label": localize(sc.agreements[p.agreement].label, lang),
                "clauses": [clause_names[c] for c in p.clauses],
                "clause_ids": list(p.clauses),
                "parties": [names[x] for x in p.parties],
                "party_ids": list(p.parties),
                "status": p.status,
                "signed": [names[x] for x in p.signed],
                "accepted": [names[x] for x in p.accepted],
                "counter_to": p.counter_to,
                "round": p.round,
                "mine": team in p.parties if team else False,
                "i_signed": team in p.signed if team else False,
            }
        )
    agreements = [
        {
            "uid": a.uid,
            "label": localize(sc.agreements[a.agreement].label, lang),
            "clauses": [clause_names[c] for c in a.clauses],
            "parties": [names[x] for x in a.parties],
            "in_force": a.in_force,
            "signed_round": a.signed_round,
            "broken_round": a.broken_round,
            "culprit": names.get(a.culprit or "", ""),
        }
        for a in view.agreements()
    ]
    story = [plain(line) for line in narrate(sc, view.events(), lang) if line.strip()]
    model: dict[str, Any] = {
        "game": live.id,
        "title": live.title,
        "scenario_title": localize(sc.title, lang),
        "summary": localize(sc.summary, lang),
        "seat": str(who.seat),
        "kind": who.seat.kind,
        "team": team,
        "team_name": names.get(team or "", ""),
        "person": who.person,
        "lead": who.lead,
        "started": state.started,
        "ended": state.ended,
        "revealed": view.revealed,
        "paused": state.paused,
        "round": state.round,
        "rounds": len(sc.rounds),
        "round_open": state.round_open,
        "round_kind": current.kind if current else None,
        "round_label": localize(current.label, lang) if current else "",
        "venue": localize(current.venue, lang) if current and current.venue else "",
        "date": str(state.date) if state.date else "",
        "deadline": state.deadline,
        "teams": [(t, names[t]) for t in sc.team_ids],
        "names": names,
        "variables": variables,
        "actions": actions,
        "catalogue": catalogue,
        "channels": channels,
        "direct": direct,
        "proposals": proposals,
        "agreements": agreements,
        "story": story,
        "brief": None,
        "outcomes": data["outcomes"],
        "agreement_kinds": [
            {
                "id": k,
                "label": localize(a.label, lang),
                "in_force": bool(state.ag[k][0]),
                "clauses": [
                    (c, clause_names[c], c in a.required) for c in (*a.required, *a.optional)
                ],
            }
            for k, a in sc.agreements.items()
        ],
        "drafts": [_draft(d, sc, names, clause_names, lang) for d in view.drafts()],
        "instruments": ("diplomatic", "information", "military", "economic"),
        "agents": sorted(state.agents),
        "agent_kinds": {t: ctx.hub.seat_kind(live, t) for t in state.agents},
        "model": ctx.model.name if ctx.model is not None else None,
        "mediator": sc.mediator,
        "next_round": state.round + 1 if state.round < len(sc.rounds) else None,
    }
    if team:
        mine = next(t for t in data["teams"] if t["id"] == team)
        model["brief"] = mine
    if who.seat.kind in ("control", "adjudicator"):
        model["desk"] = _desk(live, who, lang, actions)
    if who.seat.kind == "control":
        model["injects"] = [
            {
                "id": i.id,
                "label": localize(i.label, lang),
                "fired": i.id in state.inj,
                "round": i.round,
                "once": i.once,
            }
            for i in sc.injects
        ]
        model["log"] = [
            {
                "seq": e.seq,
                "type": e.type,
                "round": e.round,
                "audience": ", ".join(e.audience),
                "by": e.by or e.actor,
                "data": json.dumps(ev.event_to_dict(e), ensure_ascii=False),
            }
            for e in reversed(state.events[-200:])
        ]
        model["seats"] = ctx.store.seats(live.id)
        model["thinking"] = sorted(live.models.thinking)
        model["notices"] = [
            {"kind": n.kind, "team": names.get(n.team, n.team), "detail": n.detail}
            for n in reversed(live.models.notices)
        ]
    return model


def _draft(
    d: Any, sc: Any, names: dict[str, str], clause_names: dict[str, str], lang: str
) -> dict[str, Any]:
    if isinstance(d, ev.ActionDrafted):
        spec = sc.action.get(d.action)
        return {
            "kind": "action",
            "draft": d.draft,
            "by": d.by or "",
            "action": d.action,
            "label": localize(spec.label, lang) if spec else d.description,
            "target": d.target,
            "target_name": names.get(d.target or "", ""),
            "rationale": d.rationale,
            "description": d.description,
            "instrument": d.instrument,
            "secret": d.secret,
        }
    return {
        "kind": "proposal",
        "draft": d.draft,
        "by": d.by or "",
        "agreement": d.agreement,
        "clause_ids": list(d.clauses),
        "clauses": [clause_names[c] for c in d.clauses],
    }


def _desk(live: Any, who: Caller, lang: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    """The adjudicator's desk: rule suggestions, catalogue effects, blind estimates, the
    matrix's arguments and the model's drafts."""
    state, sc = live.state, live.scenario
    counted = _matrix_counts(state)
    queue = []
    for a in actions:
        if a["round"] != state.round or a["status"] == "applied":
            continue
        rec = state.actions[a["uid"]]
        spec = sc.action.get(rec.action)
        item = dict(a)
        suggestion = live.game and (None if spec is None else _suggest(live, rec))
        if suggestion is not None:
            item["suggested"] = suggestion.probability
            item["suggested_words"] = estimative(suggestion.probability, lang)
            item["modifiers"] = [
                (f"{add:+.0%}", localize(spec.modifiers[i].note, lang))
                for i, add in suggestion.modifiers
            ]
            item["modifier_pairs"] = json.dumps([list(m) for m in suggestion.modifiers])
        effects = None
        if spec is not None and rec.success is not None:
            chosen = spec.on_success if rec.success else spec.on_failure
            effects = [
                (sc.vars[ref.index(rec.team, rec.target)].key, delta)
                for ref, delta in chosen.change
            ]
        item["effects"] = effects or []
        estimates = rec.estimates
        mine = estimates.get(who.person)
        # blind: an adjudicator sees the others' estimates only after making one
        if who.seat.kind == "control" or mine is not None:
            values = list(estimates.values())
            item["estimates"] = sorted(estimates.items())
            item["median"] = statistics.median(values) if values else None
            item["spread"] = (max(values) - min(values)) if values else None
        else:
            item["estimates"] = None
        item["my_estimate"] = mine
        # matrix adjudication: the arguments, numbered as the ruling counts them
        item["base"] = spec.base_probability if spec is not None else FREE_FORM_BASE
        item["counted"] = counted.get(rec.uid, ())
        draft = live.models.drafts.get(rec.uid)
        item["draft"] = draft if draft is not None and rec.status in OPEN else None
        if draft is not None and draft.probability is not None:
            item["draft_words"] = estimative(draft.probability, lang)
        queue.append(item)
    return {
        "queue": queue,
        "scale": [(localize(label, lang), p) for label, p in sc.scale]
        or [(estimative(p, lang), p) for p in KENT],
        "keys": [v.key for v in sc.vars],
        "step": sc.matrix_step,
        "bounds": (sc.min_probability, sc.max_probability),
        # reference material the adjudicator may need (what this seat may read of it)
        "cards": [card_to_dict(c, lang) for c in live.game.view(who.seat).cards()],
    }


OPEN = ("submitted", "assessed")


def _matrix_counts(state: Any) -> dict[str, tuple[int, ...]]:
    """The arguments the latest matrix ruling of each action of this round counted."""
    found: dict[str, tuple[int, ...]] = {}
    for e in reversed(state.events):
        if e.round < state.round:
            break
        if isinstance(e, ev.ActionAssessed) and e.uid not in found:
            found[e.uid] = tuple(k for k, _ in e.modifiers) if e.method == "matrix" else ()
    return found


def _suggest(live: Any, rec: Any) -> Any:
    from whitecell.adjudication.rules import assess_in

    return assess_in(live.state, live.scenario, rec.action, rec.team, rec.target)


# -- form posts to commands --------------------------------------------------------------


def _error_text(error: dict[str, Any], lang: str) -> str:
    """An error answer's message in ``lang`` when it has one (rule violations do), else the
    English message (other errors, and answers stored before messages were translated)."""
    messages = error.get("messages")
    if isinstance(messages, dict) and isinstance(messages.get(lang), str):
        return messages[lang]
    return error["message"]


def form_command(form: Any) -> dict[str, Any]:
    """A command dict from a posted form (the same shape the JSON API takes)."""
    out: dict[str, Any] = {}
    effects: dict[str, float] = {}
    for key in form:
        if key in ("csrf", "idempotency_key", "edit_effects"):
            continue
        if key.startswith("effect:"):
            raw = form.get(key, "").strip()
            if raw:
                try:
                    value = float(raw)
                except ValueError:
                    raise webapp.error(
                        422, "bad_number", f"{raw!r} is not a number", value=raw
                    ) from None
                if value:
                    effects[key.removeprefix("effect:")] = value
            continue
        values = form.getlist(key)
        if key in LIST_FIELDS:
            out[key] = [v for v in values if v]
        else:
            out[key] = values[-1]
    for key in ("target", "channel", "counter_to", "inject", "about", "instrument", "sender"):
        if out.get(key) == "":
            out[key] = None
    for key in ("number", "seq", "minutes"):
        if key in out:
            if out[key] in ("", None):
                out.pop(key)
                continue
            try:
                out[key] = int(out[key])
            except ValueError:
                raise webapp.error(
                    422, "bad_number", f"{key}: {out[key]!r} is not a whole number"
                ) from None
    if "percent" in out:
        raw = str(out.pop("percent")).strip().rstrip("%")
        try:
            out["probability"] = float(raw) / 100
        except ValueError:
            raise webapp.error(
                422, "bad_number", f"{raw!r} is not a percentage", value=raw
            ) from None
    for key in ("probability", "suggested"):
        if isinstance(out.get(key), str):
            try:
                out[key] = float(out[key]) if out[key] else None
            except ValueError:
                raise webapp.error(
                    422, "bad_number", f"{out[key]!r} is not a number", value=out[key]
                ) from None
    if "modifiers" in out:
        out["modifiers"] = json.loads(out["modifiers"] or "[]")
    if "strong" in out:
        try:
            out["strong"] = [int(k) for k in out["strong"]]
        except ValueError:
            raise webapp.error(422, "bad_number", "strong: not argument numbers") from None
    for key in ("secret", "seated"):
        if key in out:
            out[key] = out[key] in ("on", "true", "1", "yes")
    if out.get("secret_choice") is not None:
        out["secret"] = out.pop("secret_choice") == "secret"
    if out.get("type") == "publish_outcome":
        out["effects"] = effects if form.get("edit_effects") else None
    elif out.get("type") == "fire_inject" and effects:
        out["effects"] = effects
    return out


# -- routes ------------------------------------------------------------------------------


def add_pages(app: FastAPI, ctx: Any) -> None:
    static = resources.files("whitecell.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    def lang_of(request: Request) -> str:
        return pick(
            request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = lang_of(request)
        session = ctx.session_value(request)
        html = render(
            lang,
            template,
            csrf=ctx.signer.csrf(session) if session else "",
            key=secrets.token_urlsafe(12),
            path=request.url.path,
            **values,
        )
        response = HTMLResponse(html, status)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    def who_or_none(request: Request) -> Caller | None:
        return ctx.caller_from_cookies(request)

    def check_csrf(request: Request, form: Any) -> None:
        if form.get("csrf") != ctx.signer.csrf(ctx.session_value(request)):
            raise webapp.error(403, "csrf", "this form has expired; reload the page")

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        who = who_or_none(request)
        if who is not None and who.game_id is not None:
            return RedirectResponse(f"/games/{who.game_id}", 303)  # type: ignore[return-value]
        games = list(ctx.hub.games.values()) if who is not None else []
        return page(
            request,
            "home.html",
            who=who,
            games=games,
            needs_setup=ctx.store.account_count() == 0,
            scenarios=[
                (s, localize(load_bundled(s).title, lang_of(request))) for s in bundled_ids()
            ],
        )

    @app.post("/setup")
    async def setup(request: Request) -> Response:
        form = await request.form()
        if ctx.store.account_count() > 0:
            raise webapp.error(409, "already_set_up", "control already has a password")
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        if not name or len(password) < 10:
            return page(
                request,
                "home.html",
                status=422,
                who=None,
                games=[],
                needs_setup=True,
                scenarios=[],
                message="name_and_password",
            )
        account_id = ctx.store.create_account(name, hash_password(password))
        return _signed_in(ctx, account_id)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        return page(request, "login.html", failed=False)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        found = ctx.store.account(str(form.get("name", "")))
        if found is None or not check_password(found[1], str(form.get("password", ""))):
            return page(request, "login.html", status=401, failed=True)
        return _signed_in(ctx, found[0])

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, form)
        response = RedirectResponse("/", 303)
        response.delete_cookie(SEAT_COOKIE)
        response.delete_cookie(ACCOUNT_COOKIE)
        return response

    @app.post("/games")
    async def new_game(request: Request) -> Response:
        who = who_or_none(request)
        if who is None:
            raise webapp.error(401, "not_signed_in", "sign in as control to create games")
        form = await request.form()
        check_csrf(request, form)
        if who.account_id is None:
            raise webapp.error(403, "account_only", "sign in as control to create games")
        upload = form.get("file")
        text = str(form.get("scenario", ""))
        filename = "uploaded scenario"
        if upload is not None and hasattr(upload, "read"):
            raw = await upload.read()
            if raw:
                if len(raw) > 2_000_000:
                    raise webapp.error(413, "too_large", "a scenario file is at most 2 MB")
                filename = str(getattr(upload, "filename", "") or filename)[:200]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise webapp.error(422, "bad_scenario", "the file is not UTF-8 text") from None
        try:
            body = webapp.CreateGame(
                scenario=text,
                title=str(form.get("title", ""))[:200],
                people_per_team=int(form.get("people_per_team") or 1),
                adjudicators=int(form.get("adjudicators") or 1),
            )
        except (ValueError, TypeError) as exc:
            raise webapp.error(422, "bad_form", str(exc)[:500]) from None
        try:
            created = await webapp.create_game_from(ctx, body, who.account_id, filename)
        except webapp.ApiError as exc:
            scenarios = [
                (s, localize(load_bundled(s).title, lang_of(request))) for s in bundled_ids()
            ]
            return page(
                request,
                "home.html",
                status=exc.status,
                who=who,
                games=list(ctx.hub.games.values()),
                needs_setup=False,
                scenarios=scenarios,
                problems=exc.message.split("\n"),
            )
        return page(request, "links.html", created=created, base=str(request.base_url))

    @app.get("/join/{token}")
    def join(request: Request, token: str) -> Response:
        try:
            who = ctx.caller_from_token(token)
        except webapp.ApiError as exc:
            return page(request, "message.html", status=exc.status, message=exc.code)
        response = RedirectResponse(f"/games/{who.game_id}", 303)
        response.set_cookie(
            SEAT_COOKIE,
            ctx.signer.sign(who.session),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            max_age=30 * 86400,
        )
        return response

    def entered(request: Request, game: str) -> tuple[Any, Caller]:
        who = who_or_none(request)
        if who is None:
            raise webapp.error(401, "not_signed_in", "open your join link, or sign in as control")
        return webapp.live_game(request, game, who), who

    @app.get("/games/{game}", response_class=HTMLResponse)
    def game_room(request: Request, game: str) -> HTMLResponse:
        try:
            live, who = entered(request, game)
        except webapp.ApiError as exc:
            return page(request, "message.html", status=exc.status, message=exc.code)
        model = room(live, who, lang_of(request), ctx)
        return page(request, "room.html", r=model, panels=PANELS[who.seat.kind])

    @app.get("/games/{game}/panel/{name}", response_class=HTMLResponse)
    def panel(request: Request, game: str, name: str) -> HTMLResponse:
        live, who = entered(request, game)
        if name not in PANELS[who.seat.kind]:
            raise webapp.error(404, "no_panel", f"no panel '{name}' for this seat")
        model = room(live, who, lang_of(request), ctx)
        return page(request, f"panels/{name}.html", r=model)

    @app.get("/games/{game}/live")
    async def live_stream(request: Request, game: str) -> StreamingResponse:
        live, who = entered(request, game)
        start = webapp._last_id(request.headers.get("last-event-id"))
        return StreamingResponse(
            _changes(request, ctx, live, who, start),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    @app.post("/games/{game}/do", response_class=HTMLResponse)
    async def do(request: Request, game: str) -> HTMLResponse:
        live, who = entered(request, game)
        form = await request.form()
        check_csrf(request, form)
        key = str(form.get("idempotency_key") or secrets.token_urlsafe(12))
        try:
            raw = form_command(form)
        except webapp.ApiError as exc:
            return page(
                request, "flash.html", status=200, ok=False, message=exc.text(lang_of(request))
            )
        outcome = await webapp.run_command(ctx, live, who, raw, key)
        ok = outcome.status == 200
        message = "" if ok else _error_text(outcome.body["error"], lang_of(request))
        response = page(request, "flash.html", ok=ok, message=message)
        if ok:
            response.headers["X-Command-Ok"] = "1"
        return response

    @app.post("/games/{game}/draft", response_class=HTMLResponse)
    async def draft(request: Request, game: str) -> HTMLResponse:
        """The desk's "Draft with the model": the model's odds and rationale for an action,
        shown on the desk to accept or change (the request waits for the model; the
        server does not)."""
        live, who = entered(request, game)
        form = await request.form()
        check_csrf(request, form)
        if who.seat.kind not in ("control", "adjudicator"):
            raise Refusal(403, "umpire_only", webapp.UMPIRE_ONLY)
        outcome = await webapp.draft_for(ctx, live, who, str(form.get("uid", ""))[:64])
        lang = lang_of(request)
        if outcome.status != 200:
            message = _error_text(outcome.body["error"], lang)
            return page(request, "flash.html", ok=False, message=message)
        fallback = outcome.body["fallback"]
        message = (
            ""
            if fallback is None
            else translations(lang).gettext(DRAFT_FAILED) % {"reason": fallback}
        )
        response = page(request, "flash.html", ok=fallback is None, message=message)
        # the desk shows the draft: refresh the panel the form is in
        response.headers["HX-Trigger"] = "wc:refresh"
        return response

    @app.post("/games/{game}/links", response_class=HTMLResponse)
    async def links(request: Request, game: str) -> HTMLResponse:
        live, who = entered(request, game)
        form = await request.form()
        check_csrf(request, form)
        if who.seat.kind != "control":
            raise webapp.error(403, "control_only", "only control manages links")
        action = str(form.get("action", ""))
        seat_id = str(form.get("seat_id", ""))
        row = ctx.store.seat(seat_id) if seat_id else None
        if action in ("revoke", "reissue") and (row is None or row.game_id != game):
            raise webapp.error(404, "no_seat", "no such link in this game")
        token = None
        if action == "revoke":
            ctx.store.revoke(seat_id)
            ctx.forget(seat_id)
            ctx.revoked.add(seat_id)
            await ctx.hub.poke(game)
        elif action == "reissue":
            token = await ctx.reissue(row)
        elif action == "add":
            seat = str(form.get("seat", ""))
            valid = {"control", "adjudicator", "observer"} | {
                f"team:{t}" for t in live.scenario.team_ids
            }
            person = str(form.get("person", "")).strip()[:200]
            if seat not in valid or not person:
                message = webapp.error(422, "seat_and_name", "seat and name needed").text(
                    lang_of(request)
                )
                return page(request, "flash.html", ok=False, message=message)
            _, token = ctx.store.add_seat(game, seat, person, form.get("lead") == "on")
        link = f"{str(request.base_url).rstrip('/')}/join/{token}" if token else ""
        return page(request, "flash.html", ok=True, message="", link=link)

    @app.get("/games/{game}/export.{fmt}")
    def export(request: Request, game: str, fmt: str) -> Response:
        live, who = entered(request, game)
        if who.seat.kind != "control":
            raise webapp.error(403, "control_only", "only control exports the log")
        if fmt == "jsonl":
            from whitecell.engine.log import dump_log

            return Response(
                dump_log(live.scenario, live.state.events),
                media_type="application/x-ndjson",
                headers=_attachment(game, fmt),
            )
        rows = export_rows(live)
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerows(rows)
            return Response(
                buffer.getvalue(),
                media_type="text/csv; charset=utf-8",
                headers=_attachment(game, fmt),
            )
        if fmt == "xlsx":
            data = export_xlsx(rows)
            return Response(
                data,
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers=_attachment(game, fmt),
            )
        raise webapp.error(404, "no_format", "export as csv, xlsx or jsonl")

    reports = Reports()

    @app.get("/games/{game}/report")
    async def report(request: Request, game: str) -> Response:
        """The after-action report: control's in full at any time (or the public version,
        to preview it), every other seat's the public version once the game has ended."""
        # a first visit reads the caller from the store: not on the event loop
        live, who = await to_thread.run_sync(entered, request, game)
        control = who.seat.kind == "control"
        fmt = report_option(request, "format", REPORT_FORMATS, "html")
        lang = report_option(request, "lang", LANGUAGES, lang_of(request))
        audience = report_option(
            request, "audience", REPORT_AUDIENCES, "control" if control else "public"
        )
        if not control:
            if audience != "public":
                raise webapp.error(403, "control_only", "only control reads the full report")
            if not live.state.ended:
                raise Refusal(403, "report_not_yet", REPORT_NOT_YET)
        # the log as it stands between two commands (commands change it under the lock)
        async with live.lock:
            events = list(live.state.events)
        body = await reports.get(live, events, fmt, lang, audience)
        media_type, inline = REPORT_FORMATS[fmt]
        headers = {"Content-Security-Policy": REPORT_CSP, "Cache-Control": "private, no-store"}
        if not inline:
            name = f"{game}-report" if audience == "control" else f"{game}-public-report"
            headers |= _attachment(f"{name}-{lang}", fmt)
        return Response(body, media_type=media_type, headers=headers)


def error_page(request: Request, exc: Any) -> HTMLResponse:
    """A refused page request, as a page in the user's language."""
    lang = pick(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    html = render(
        lang,
        "error.html",
        message=exc.text(lang),
        status=exc.status,
        csrf="",
        key="",
        path=request.url.path,
    )
    return HTMLResponse(html, exc.status)


def _attachment(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}


EXPORT_HEADER = ["seq", "round", "channel", "type", "actor", "by", "audience", "summary"]


def export_rows(live: Any) -> list[list[Any]]:
    """The log as rows with the round and the channel (who could read it) of each event."""
    rows: list[list[Any]] = [EXPORT_HEADER]
    for e in live.state.events:
        data = ev.event_to_dict(e)
        channel = getattr(e, "channel", None) or (
            "public" if "*" in e.audience else "+".join(e.audience)
        )
        summary = {
            k: v
            for k, v in data.items()
            if k not in ("type", "seq", "round", "audience", "actor", "by")
        }
        rows.append(
            [
                e.seq,
                e.round,
                channel,
                e.type,
                e.actor,
                e.by or "",
                " ".join(e.audience),
                json.dumps(summary, ensure_ascii=False),
            ]
        )
    return rows


def export_xlsx(rows: list[list[Any]]) -> bytes:
    """One sheet for the whole log and one per round."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "log"
    for row in rows:
        sheet.append(row)
    rounds = sorted({r[1] for r in rows[1:]})
    for number in rounds:
        per = book.create_sheet(f"round {number}")
        per.append(rows[0])
        for row in rows[1:]:
            if row[1] == number:
                per.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _signed_in(ctx: Any, account_id: str) -> Response:
    response = RedirectResponse("/", 303)
    response.set_cookie(
        ACCOUNT_COOKIE,
        ctx.signer.sign(account_id),
        httponly=True,
        samesite="lax",
        max_age=7 * 86400,
    )
    response.delete_cookie(SEAT_COOKIE)
    return response


async def _changes(
    request: Request, ctx: Any, live: Any, who: Caller, after: int
) -> AsyncIterator[str]:
    """``changed`` messages for a room: one per batch of events the seat may see."""
    last = after
    yield "retry: 1000\n\n"
    while True:
        if ctx.shut_out(who) or await request.is_disconnected():
            return
        visible = live.game.view(who.seat).events(since=last)
        last = live.state.seq
        if visible:
            yield f"id: {visible[-1].seq}\nevent: changed\ndata: {visible[-1].seq}\n\n"
        if not await ctx.hub.wait(live.id, last, webapp.STREAM_KEEPALIVE_S):
            yield ": still here\n\n"


__all__ = ["add_pages", "export_rows", "form_command", "room"]
