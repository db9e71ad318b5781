"""The studio's shelf in Chromium, as a designer uses it, in English and in Japanese:
start a scenario from the skeleton, duplicate a bundled one, import a file; each answer
is on the shelf where the designer looks; axe-core finds nothing serious; screenshots of
the shelf (desktop and phone) go to test-artifacts/e2e/rooms/studio-<lang>-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.audit import audit, screenshots, settle
from tests.e2e.conftest import People, Seat
from tests.web.server import PASSWORD, Server
from whitecell.scenario.library import bundled_path

WORDS = {
    "en": {
        "new": "New scenario",
        "import": "Import YAML",
        "duplicate": "Duplicate",
        "control": "White cell",
        "odds": "Odds at a glance",
        "try": "Try it",
        "done": "Done: 400 runs.",
        "play": "Play one",
    },
    "ja": {
        "new": "新しいシナリオ",
        "import": "YAMLを取り込む",
        "duplicate": "複製",
        "control": "ホワイトセル",
        "odds": "成功確率の一覧",
        "try": "試す",
        "done": "完了:400回。",
        "play": "1回プレイ",
    },
}


def signed_in(people: People, server: Server, name: str, lang: str) -> Seat:
    """A designer's browser, signed in as the control account, in ``lang``."""
    designer = people.open(name, f"{server.url}/login?lang={lang}")
    page = designer.page
    page.locator("input[name=name]").fill("control")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button").click()
    return designer


def white_cell_room_of_the_studio_game(page: Page, server: Server) -> None:
    """On the front page, a game of the account's studio scenario (at its newest version),
    then its white cell room."""
    page.goto(f"{server.url}/")
    choice = page.locator("form[action='/games'] select[name=scenario]")
    studio_option = choice.locator("option[value^='studio:']").first
    choice.select_option(studio_option.get_attribute("value") or "")
    page.locator("form[action='/games'] button").click()
    expect(page.locator("table.links")).to_be_visible()
    page.locator("main a.button").click()
    expect(page.locator("#panel-controls")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_designer_starts_duplicates_and_imports_scenarios_on_the_shelf(
    server: Server, people: People, lang: str
) -> None:
    words = WORDS[lang]
    designer = signed_in(people, server, f"studio-{lang}", lang)
    page = designer.page
    page.locator("a[href='/studio']").click()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shelf = page.locator("table.shelf").first

    # New: version 1 from the skeleton, marked on the shelf
    page.get_by_role("button", name=words["new"], exact=True).click()
    made = page.locator("tr.just-made")
    expect(made).to_have_count(1)
    expect(made.locator("td.num")).to_have_text(re.compile(r"^\s*(Version|版)?\s*1$"))
    expect(made.locator(".status.ok")).to_be_visible()

    # Duplicate the bundled Ankara scenario: its title, in the page's language, on the shelf
    bundled = page.locator("table.shelf").last.locator("tr", has_text="2025").first
    title = bundled.locator("th").inner_text()
    bundled.get_by_role("button", name=f"{words['duplicate']} · {title}").click()
    expect(page.locator("tr.just-made")).to_have_count(1)
    rows_after_duplicate = shelf.locator("tbody tr").count()
    assert rows_after_duplicate == 2

    # Import: a file from disk; a file that is not UTF-8 is refused in words, in place
    page.set_input_files("#studio-file", str(bundled_path("ukraine-ceasefire-2025")))
    page.get_by_role("button", name=words["import"], exact=True).click()
    expect(page.locator("table.shelf").first.locator("tbody tr")).to_have_count(3)
    page.set_input_files(
        "#studio-file", files=[{"name": "broken.yaml", "mimeType": "text/yaml", "buffer": b"\xff"}]
    )
    page.get_by_role("button", name=words["import"], exact=True).click()
    refusal = page.locator("#studio-result")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("broken.yaml")
    if lang == "ja":
        expect(refusal).to_contain_text("UTF-8で保存")
    designer.errors[:] = [e for e in designer.errors if "422" not in e]  # the refusal itself

    settle(page)
    screenshots(page, f"studio-{lang}-shelf")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the shelf is {wide}px wide on a 390px phone"
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))

    # a scenario's versions: one so far, and nothing to compare yet
    page.set_viewport_size({"width": 1280, "height": 900})
    shelf.locator("tbody tr th a").last.click()
    expect(page.locator("tr[id^=version-]")).to_have_count(1)
    expect(page.locator("#diff-from")).to_have_value("1")
    settle(page)
    screenshots(page, f"studio-{lang}-versions")
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))

    # Try it: 400 automated plays in the background, a progress bar, then the figures
    page.locator("#try-runs").fill("400")
    page.get_by_role("button", name=words["try"], exact=True).click()
    expect(page.locator(".trial-status")).to_be_visible()
    expect(page.locator(".trial-status")).to_contain_text(words["done"], timeout=60_000)
    expect(page.locator("table.figures tbody tr").first).to_contain_text("%]")
    expect(page.locator("svg.share").first).to_be_visible()
    settle(page)
    screenshots(page, f"studio-{lang}-trial")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the trial is {wide}px wide on a 390px phone"
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))

    # Play one: a single automated game, told as its story
    page.set_viewport_size({"width": 1280, "height": 900})
    page.go_back()
    page.get_by_role("link", name=words["play"], exact=True).click()
    expect(page.locator("ol.story li").first).to_be_visible()
    assert page.locator("ol.story li").count() > 5
    settle(page)
    screenshots(page, f"studio-{lang}-play-one")
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))
    page.goto(f"{server.url}/studio")

    # the odds at a glance of the bundled scenario: a table per team, nothing serious for axe
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("table.shelf").last.locator("a", has_text=words["odds"]).last.click()
    expect(page.locator("section.glance")).to_have_count(6)
    expect(page.locator("section.glance table tbody tr").first).to_contain_text("%")
    settle(page)
    screenshots(page, f"studio-{lang}-odds")
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))

    # the new scenario makes a game on the front page, and its white cell room opens
    page.set_viewport_size({"width": 1280, "height": 900})
    white_cell_room_of_the_studio_game(page, server)
    expect(page.locator("h1")).to_have_text(WORDS[lang]["control"])
    assert not designer.errors, designer.problems()


EDITOR = {
    "en": {
        "one": "1 problem:",
        "none": "No problems.",
        "saved": "Saved as version 2",
        "refused": "is not allowed",
    },
    "ja": {
        "one": "問題が1件あります:",
        "none": "問題はありません。",
        "saved": "版2として保存しました",
        "refused": "使えません",
    },
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_designer_edits_the_yaml_and_sees_a_problem_come_and_go(
    server: Server, people: People, lang: str
) -> None:
    words = EDITOR[lang]
    designer = signed_in(people, server, f"editor-{lang}", lang)
    page = designer.page
    page.goto(f"{server.url}/studio")
    page.get_by_role("button", name=WORDS[lang]["new"], exact=True).click()
    page.locator("tr.just-made a[href$='/edit']").click()
    source = page.locator("#source")
    text = source.input_value()
    assert "kind: action" in text
    expect(page.locator("#check-status")).to_have_text(words["none"])

    # a wrong round kind: the problem appears after a pause, without saving
    broken = text.replace("kind: action", "kind: lunch", 1)
    line = 1 + text[: text.index("kind: action")].count("\n")
    source.fill(broken)
    expect(page.locator("#check-status")).to_have_text(words["one"])
    problem = page.locator("#problems button.problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("lunch")
    expect(problem).to_contain_text(words["refused"])  # in the page's language
    expect(page.locator(".gutter")).to_contain_text(f"● {line}")
    problem.press("Enter")  # from the keyboard: the caret goes to the problem's line
    expect(source).to_be_focused()
    at = page.evaluate(
        "(() => { const s = document.getElementById('source');"
        " return s.value.slice(0, s.selectionStart).split('\\n').length; })()"
    )
    assert at == line
    settle(page)
    screenshots(page, f"studio-{lang}-editor")
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the editor is {wide}px wide on a 390px phone"
    page.set_viewport_size({"width": 1280, "height": 900})

    # corrected, the problem goes; Ctrl+S saves it as version 2
    source.fill(text + "# checked\n")
    expect(page.locator("#check-status")).to_have_text(words["none"])
    expect(page.locator("#problems button.problem")).to_have_count(0)
    source.press("Control+s")
    expect(page.locator("#editor-result")).to_contain_text(words["saved"])
    assert page.locator("#source").input_value().endswith("# checked\n")
    assert not designer.errors, designer.problems()


FORM = {
    "en": {
        "edit": "Edit in forms",
        "actions": "Actions",
        "one": "1 problem:",
        "none": "No problems.",
    },
    "ja": {
        "edit": "フォームで編集",
        "actions": "行動",
        "one": "問題が1件あります:",
        "none": "問題はありません。",
    },
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_designer_changes_odds_in_the_form_and_sees_the_check_before_saving(
    server: Server, people: People, lang: str
) -> None:
    words = FORM[lang]
    designer = signed_in(people, server, f"form-{lang}", lang)
    page = designer.page
    page.goto(f"{server.url}/studio")
    page.get_by_role("button", name=WORDS[lang]["new"], exact=True).click()
    page.locator("tr.just-made th a").click()
    page.get_by_role("link", name=words["edit"]).click()
    page.locator("nav.sections").get_by_role("link", name=words["actions"]).click()
    odds = page.locator("input[name='f:actions[0].base_probability']")
    expect(odds).to_have_value("0.6")

    # odds over 1: the check says so after a pause, with a link to the field
    odds.fill("1.7")
    expect(page.locator("#form-status")).to_have_text(words["one"])
    link = page.locator("#form-check a.problem")
    expect(link).to_contain_text("base_probability")
    expect(odds).to_have_attribute("aria-invalid", "true")  # and under the field itself
    expect(page.locator(".field-problem")).to_have_count(1)
    link.click()
    expect(odds).to_be_in_viewport()
    settle(page)
    screenshots(page, f"studio-{lang}-form")
    found = audit(page)
    assert not found, "axe-core finds\n" + "\n".join(map(str, found))
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the form is {wide}px wide on a 390px phone"
    page.set_viewport_size({"width": 1280, "height": 900})

    # corrected and saved: version 2 has the new odds, the form shows it
    odds.fill("0.45")
    expect(page.locator("#form-status")).to_have_text(words["none"])
    expect(page.locator(".field-problem")).to_have_count(0)
    odds.press("Enter")  # Enter in a field saves (and moves no entry)
    expect(page.locator("#form-result")).to_be_visible()
    expect(page.locator("input[name='f:actions[0].base_probability']")).to_have_value("0.45")
    expect(page.locator("fieldset.entry legend").first).to_contain_text("patrol")

    # an entry copied: a new version with the copy just after it, under a new id
    entries = page.locator("fieldset.entry")
    before = entries.count()
    entries.first.locator(".entry-tools button[value^='copy:']").click()
    expect(entries).to_have_count(before + 1)
    expect(entries.nth(1).locator("legend")).to_contain_text("patrol_2")
    assert not designer.errors, designer.problems()


def test_the_source_view_suggests_the_fields_allowed_here_and_the_declared_ids(
    server: Server, people: People
) -> None:
    designer = signed_in(people, server, "suggest", "en")
    page = designer.page
    page.goto(f"{server.url}/studio")
    page.get_by_role("button", name=WORDS["en"]["new"], exact=True).click()
    page.locator("tr.just-made a[href$='/edit']").click()
    source = page.locator("#source")
    text = source.input_value()
    listbox = page.locator("#suggestions")

    def caret_after(fragment: str) -> None:
        at = text.index(fragment) + len(fragment)
        source.evaluate("(s, at) => { s.focus(); s.setSelectionRange(at, at); }", at)

    def line_of_caret() -> str:
        return source.evaluate(
            "s => { const v = s.value, i = s.selectionStart;"
            " return v.slice(v.lastIndexOf('\\n', i - 1) + 1, i); }"
        )

    # inside an action: the fields an action may have
    caret_after("    base_probability: 0.6")
    page.keyboard.type("\n    mod")
    page.keyboard.press("Control+Space")
    expect(listbox).to_be_visible()
    expect(listbox.locator("li[aria-selected=true]")).to_have_text("modifiers")
    page.keyboard.press("Enter")
    assert line_of_caret() == "    modifiers: "
    expect(listbox).to_be_hidden()

    # in a value: the ids the scenario declares, with their kind
    source.fill(text)
    caret_after("    teams: all")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("[no")
    page.keyboard.press("Control+Space")
    expect(listbox.locator("li").first).to_contain_text("north")
    expect(listbox.locator("li").first).to_contain_text("teams")
    page.keyboard.press("Enter")
    assert line_of_caret().endswith("teams: [north")

    # at the top: the sections of a scenario
    source.fill(text + "out")
    source.evaluate("s => { s.focus(); s.setSelectionRange(s.value.length, s.value.length); }")
    page.keyboard.press("Control+Space")
    expect(listbox.locator("li[aria-selected=true]")).to_have_text("outcomes")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    assert not designer.errors, designer.problems()


FLOW = {
    "en": {
        "edit": "Edit in forms",
        "teams": "Teams",
        "variables": "Variables",
        "actions": "Actions",
        "negotiation": "Negotiation",
        "outcomes": "Outcomes",
        "none": "No problems.",
        "try": "Try it",
        "done": "Done: 300 runs.",
        "before": "Version before",
        "versions": "Versions",
        "start": "Start the game",
        "open": "Open round 1",
        "close": "Close round 1",
    },
    "ja": {
        "edit": "フォームで編集",
        "teams": "チーム",
        "variables": "変数",
        "actions": "行動",
        "negotiation": "交渉",
        "outcomes": "結果",
        "none": "問題はありません。",
        "try": "試す",
        "done": "完了:300回。",
        "before": "前の版",
        "versions": "版の一覧",
        "start": None,
        "open": None,
        "close": None,
    },
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_designer_builds_a_variant_in_the_forms_tries_it_and_plays_a_round(
    server: Server, people: People, lang: str
) -> None:
    """From the skeleton, through the pages only: a team, an action with a modifier, a
    clause and an outcome added; a problem appears and clears; Try it; a change, tried
    again beside the version before; the diff; a game of the new version, one round."""
    words = FLOW[lang]
    designer = signed_in(people, server, f"flow-{lang}", lang)
    page = designer.page
    page.goto(f"{server.url}/studio")
    page.get_by_role("button", name=WORDS[lang]["new"], exact=True).click()
    page.locator("tr.just-made th a").first.click()
    page.get_by_role("link", name=words["edit"]).click()
    sections = page.locator("nav.sections")
    status = page.locator("#form-status")
    entries = page.locator("fieldset.entry")

    def section(name: str) -> None:
        sections.locator("a", has_text=words[name]).first.click()  # a count may follow
        expect(sections.locator("[aria-current=page]")).to_have_text(re.compile(words[name]))

    def copy_last() -> None:
        before = entries.count()
        entries.last.locator(".entry-tools button[value^='copy:']").click()
        expect(entries).to_have_count(before + 1)

    def field(key: str) -> Locator:
        return page.locator(f"[name='f:{key}']")

    # a team's preferences as sliders: moving one writes its number, which the check reads
    section("teams")
    weight = page.locator("input.weight").first
    number_id = weight.get_attribute("data-for") or ""
    weight.fill("1.5")
    expect(page.locator(f"#{number_id}")).to_have_value("1.5")

    # a third team, copied from the second and renamed: each per-team variable asks for
    # its starting value (a problem), given in the variables (the problem clears)
    copy_last()
    field("teams[2].id").fill("east")
    field("teams[2].name.en").fill("East")
    field("teams[2].name.ja").fill("東")
    expect(status).not_to_have_text(words["none"])
    field("teams[2].name.ja").press("Enter")
    expect(page.locator("#form-result")).to_be_visible()
    section("variables")
    missing = page.locator("[name='f:variables[1].initial.east']")
    expect(missing).to_have_value("")
    missing.fill("45")
    expect(status).to_have_text(words["none"])
    missing.press("Enter")
    expect(page.locator("#form-result")).to_be_visible()

    # an action with a modifier, a clause and an outcome, each copied and changed
    section("actions")
    page.locator(".entry-tools button[value='copy:actions[0]']").click()  # the one with a modifier
    expect(field("actions[1].id")).to_have_value("patrol_2")
    expect(field("actions[1].modifiers[0].when")).to_be_visible()
    field("actions[1].base_probability").fill("0.4")
    field("actions[1].base_probability").press("Enter")
    expect(page.locator("#form-result")).to_be_visible()
    section("negotiation")
    page.locator(".entry-tools button[value='copy:negotiation.clauses[0]']").click()
    expect(page.locator("[name='f:negotiation.clauses[1].id']")).to_have_value("pullback_2")
    section("outcomes")
    copy_last()
    expect(status).to_have_text(words["none"])

    # Try it, then a change tried again: its figures beside the version before's
    page.locator("a", has_text=words["versions"]).first.click()
    page.locator("#try-runs").fill("300")
    page.get_by_role("button", name=words["try"], exact=True).click()
    expect(page.locator(".trial-status")).to_contain_text(words["done"], timeout=60_000)
    expect(page.locator("table.figures tbody tr").first).to_contain_text("%]")
    page.go_back()
    page.get_by_role("link", name=words["edit"]).click()
    section("actions")
    field("actions[0].base_probability").fill("0.95")
    field("actions[0].base_probability").press("Enter")
    expect(page.locator("#form-result")).to_be_visible()
    page.locator("a", has_text=words["versions"]).first.click()
    page.locator("#try-runs").fill("300")
    page.get_by_role("button", name=words["try"], exact=True).click()
    expect(page.locator(".trial-status")).to_contain_text(words["done"], timeout=60_000)
    expect(page.locator("table.figures thead").first).to_contain_text(words["before"])
    expect(page.locator("table.figures tbody tr").first.locator("td").last).to_contain_text("%]")
    page.go_back()
    page.reload()
    expect(page.locator("pre.diff .added")).to_contain_text("0.95")
    expect(page.locator("#h-balance-diff")).to_be_visible()
    settle(page)
    screenshots(page, f"studio-{lang}-flow-versions")

    # a game of the new version, from the front page, and its first round played
    white_cell_room_of_the_studio_game(page, server)  # its newest version: the one tried
    designer.send("start", words["start"])
    designer.send("open", words["open"])
    designer.send("close", words["close"], confirm=True)
    expect(page.locator("#f-open button")).to_contain_text("2")  # round 1 played; 2 next
    assert not designer.errors, designer.problems()
