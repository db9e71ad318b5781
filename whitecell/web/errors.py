"""Refusals at the web edge: one error type, one JSON shape, its text in every language.

Two catalogues word them: ``whitecell/i18n/messages.yaml`` (``web.<code>`` keys, shared
with the engine's rule violations) and the web's Babel catalogue (``locales/``), whose
messages are marked here with :func:`N_` so the extraction test finds them.
"""

from __future__ import annotations

from typing import Any

from whitecell.i18n import LANGUAGES, catalogue, t
from whitecell.live.hub import Outcome
from whitecell.web.i18n import translations


def N_(message: str) -> str:
    """Marks interface text for the web catalogue; it is translated when it is shown."""
    return message


NO_MODEL = N_(
    "This server has no language model: start it with --llm-base-url and --llm-model "
    "to seat model players or draft odds with a model."
)
ADVISOR_NO_MODEL = N_(
    "Free-text questions to an advisor need a language model: start the server with "
    "--llm-base-url and --llm-model. Your advisors' three best moves need none."
)
ADVISOR_BUDGET = N_(
    "Your advisors have spent this game's %(budget)s tokens; ask them for your three best "
    "moves instead."
)
UMPIRE_ONLY = N_("Only an adjudicator or the white cell may do this.")
MATRIX_ODDS = N_(
    "Matrix odds are the base odds moved by the scenario's step for each strong "
    "argument: %(odds)s here."
)
DRAFT_FAILED = N_("The model could not draft these odds (%(reason)s); the rules' odds stand.")
REPORT_NOT_YET = N_("The report opens to you when the game has ended.")
DEBRIEF_NOT_YET = N_(
    "The debrief report opens when the white cell reveals everything; the public report "
    "keeps the secrets."
)
BAD_OPTION = N_("%(name)s cannot be %(value)s: choose one of %(allowed)s.")
REPORT_FAILED = N_("The report could not be made: %(reason)s")
NAMED = N_("Welcome, %(person)s.")
LINK_MADE = N_("New join link for %(person)s (%(seat)s), shown only now:")
LINK_REVOKED = N_("The link of %(person)s is revoked: it no longer opens the game.")


class ApiError(Exception):
    """A request refused at the edge. ``code`` names it (``web.<code>`` in the shared
    catalogue words it for people); ``message`` is the English text for programs."""

    def __init__(self, status: int, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.params = status, code, message, params

    def text(self, lang: str) -> str:
        key = f"web.{self.code}"
        return t(key, lang, **self.params) if key in catalogue() else self.message

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "messages": {lang: self.text(lang) for lang in LANGUAGES},
            }
        }

    def outcome(self) -> Outcome:
        """The refusal as a command's outcome, for the paths that answer with one."""
        return Outcome(self.status, self.body())


class Refusal(ApiError):
    """A refusal worded in the web catalogue: ``msgid`` with ``%(name)s`` placeholders."""

    def __init__(self, status: int, code: str, msgid: str, **params: Any) -> None:
        super().__init__(status, code, msgid % params, **params)
        self.msgid = msgid

    def text(self, lang: str) -> str:
        return translations(lang).gettext(self.msgid) % self.params


def error_text(error: dict[str, Any], lang: str) -> str:
    """An error answer's message in ``lang`` when it has one (rule violations do), else the
    English message (other errors, and answers stored before messages were translated)."""
    messages = error.get("messages")
    if isinstance(messages, dict) and isinstance(messages.get(lang), str):
        return str(messages[lang])
    return str(error["message"])


__all__ = ["N_", "ApiError", "Refusal", "error_text"]
