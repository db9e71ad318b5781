"""Pages as HTML: one Jinja environment per language, with the web catalogue installed.

Every page gets the user's language, a CSRF token for its forms and a fresh
idempotency key; a ``?lang=`` choice is remembered in a cookie.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from whitecell.i18n import t
from whitecell.web.auth import LANG_COOKIE
from whitecell.web.context import Context, lang_of
from whitecell.web.errors import ApiError
from whitecell.web.i18n import LANGUAGES, translations

_ENVIRONMENTS: dict[str, jinja2.Environment] = {}


def _pct(p: float | None) -> str:
    return "" if p is None else f"{p * 100:.0f}%"


# the key a page was drawn with changes on every drawing; the page script makes a fresh
# one for each attempt anyway, so it is no part of what a panel shows
_KEY_FIELD = re.compile(r'name="idempotency_key" value="[^"]*"')


def digest(html: str) -> str:
    """What a panel shows, in 16 letters: a refresh that shows the same is not drawn.

    Drawing a panel again for nothing moves what is under a player's pointer and
    replaces what they were about to click; the page script skips such swaps.
    """
    shown = _KEY_FIELD.sub("", html).strip()
    return hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()


def environment(lang: str) -> jinja2.Environment:
    env = _ENVIRONMENTS.get(lang)
    if env is None:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("whitecell.web", "templates"),
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # the i18n extension adds this method to the environment at run time
        install = env.install_gettext_translations  # type: ignore[attr-defined]
        install(translations(lang), newstyle=True)
        env.globals["lang"] = lang
        env.globals["languages"] = LANGUAGES
        env.globals["t"] = lambda key, **values: t(key, lang, **values)
        env.filters["pct"] = _pct
        env.filters["digest"] = digest
        _ENVIRONMENTS[lang] = env
    return env


def render(lang: str, template: str, **values: Any) -> str:
    return environment(lang).get_template(template).render(**values)


def page(
    ctx: Context, request: Request, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
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


async def checked_form(ctx: Context, request: Request) -> FormData:
    """The posted form, if it carries this session's CSRF token."""
    form = await request.form()
    if not ctx.csrf_ok(request, form.get("csrf")):
        raise ApiError(403, "csrf", "this form has expired; reload the page")
    return form


def error_page(request: Request, exc: ApiError) -> HTMLResponse:
    """A refused page request, as a page in the user's language."""
    lang = lang_of(request)
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


__all__ = ["checked_form", "digest", "environment", "error_page", "page", "render"]
