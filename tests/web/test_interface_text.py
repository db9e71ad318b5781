"""Every piece of interface text in the templates, and every refusal marked ``N_("...")``
in the web's modules, has its Japanese translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from whitecell.web.i18n import pick, translations

ROOT = Path(__file__).resolve().parents[2] / "whitecell" / "web"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def interface_messages() -> dict[str, str]:
    found = {}
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        with path.open("rb") as f:
            for lineno, _func, msg, _comments in babel_extract(f, ["_"], [], options):
                found[msg if isinstance(msg, str) else msg[0]] = f"{path.name}:{lineno}"
    for path in sorted(ROOT.rglob("*.py")):
        with path.open("rb") as f:
            for lineno, _func, msg, _comments in extract_python(f, ["N_"], [], {}):
                found[msg if isinstance(msg, str) else msg[0]] = f"{path.name}:{lineno}"
    return found


def test_the_web_modules_marked_text_is_found() -> None:
    found = interface_messages()
    assert found["The report opens to you when the game has ended."].startswith("errors.py:")
    assert "Send" in found


def test_every_interface_message_has_a_japanese_translation_with_the_same_placeholders() -> None:
    with (ROOT / "locales/ja/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="ja")
    missing = []
    for msgid, where in interface_messages().items():
        message = catalog.get(msgid)
        if message is None or not message.string:
            missing.append(f"{where}: {msgid!r}")
            continue
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(message.string)), msgid
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_the_japanese_catalogue_translates_at_run_time() -> None:
    assert translations("ja").gettext("Send") == "送信"
    assert translations("en").gettext("Send") == "Send"


def test_the_language_is_the_users_choice_else_the_browsers() -> None:
    assert pick("ja", "en-GB,en") == "ja"
    assert pick(None, "ja-JP,ja;q=0.9,en;q=0.8") == "ja"
    assert pick("xx", "fr-FR,de") == "en"
