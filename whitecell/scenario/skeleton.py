"""The skeleton ``whitecell new-scenario`` writes: a small, valid, commented scenario.

Every section of the format appears once, with a comment saying what it is for, so an
author can start from a file that already validates and change it step by step.
"""

from __future__ import annotations

import re

SCHEMA_FILE = "scenario.schema.json"
SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_SKELETON = """\
# yaml-language-server: $schema={schema}
#
# A whitecell scenario. Check it with:  whitecell validate {filename}
# Play it automatically:                whitecell play {filename} --seed 1
# Balance it over many plays:           whitecell ensemble {filename} -n 2000
# The format, field by field: docs/scenarios.md. Every text is written in each language of
# meta.languages ({{en: ..., ja: ...}}); drop "ja" there to write English only.
format_version: 1

meta:
  id: {id}
  title: {{en: "{title}", ja: "{title}"}}
  summary:
    en: What the crisis is about, in a few sentences every player reads first.
    ja: この危機が何についてのものかを数文で。全てのプレイヤーが最初に読む。
  situation_date: 2025-01-01       # the real-world situation the scenario starts from
  start_date: 2025-01-06           # the simulated date when round 1 opens
  languages: [en, ja]
  reveal_at_end: true              # at the debrief every seat may read everything
  sources: []                      # - {{title: ..., author: ..., date: "2025-01", url: https://...}}

# Teams are played by people or by automated players. Preferences weigh the variables
# (per full range) and drive the automated players; a reservation is what a package of
# clauses must be worth to a team before it signs.
teams:
  - id: north
    name: {{en: North, ja: 北}}
    brief:
      en: You hold the pass and want it kept.
      ja: あなたは峠を押さえており、それを守りたい。
    public_objectives: [{{en: Keep the border quiet, ja: 国境の平穏を保つ}}]
    private_objectives: [{{en: Wear the South down, ja: 南を消耗させる}}]
    preferences: {{tension: -0.5, resolve.actor: 1.0}}
    negotiation: {{reservation: "0.0"}}
  - id: south
    name: {{en: South, ja: 南}}
    brief: {{en: You want the pass back without a war., ja: 戦争をせずに峠を取り戻したい。}}
    preferences: {{tension: -1.0, resolve.actor: 1.0}}
    negotiation: {{reservation: "0.02"}}

roles:                             # non-player roles run by the white cell
  - id: envoy
    name: {{en: UN envoy, ja: 国連特使}}

# The state of the world. visibility: public, owner (the owning team), or control
# (the white cell); per_team: true gives each team its own copy (VAR.TEAM, VAR.actor).
variables:
  - id: tension
    label: {{en: Tension on the border, ja: 国境の緊張}}
    initial: 50
  - id: resolve
    label: {{en: Resolve, ja: 決意}}
    per_team: true
    visibility: owner
    noise: 10                      # half-width of a noisy intelligence estimate
    initial: {{north: 60, south: 50}}

# Rounds: action rounds (teams act, adjudicators judge the odds) and negotiation rounds.
# A duration is a number and h, d or w: 36h, 14d, 13w.
rounds:
  - kind: action
    label: {{en: Opening moves, ja: 序盤の動き}}
    duration: 14d
    actions_per_team: 2
  - kind: negotiation
    label: {{en: Talks, ja: 協議}}
    duration: 14d
    venue: {{en: Geneva, ja: ジュネーブ}}
  - kind: action
    label: {{en: Facts on the ground, ja: 既成事実}}
    duration: 14d

# The escalation ladder each action stands on (optional: without it, these five rungs).
# Reports and ensembles sum the weights of the actions taken, per team and round.
escalation:
  levels:
    - {{id: de_escalation, label: {{en: De-escalation, ja: 緊張緩和}}, weight: -2}}
    - {{id: posturing, label: {{en: Posturing, ja: 示威・牽制}}, weight: 4}}
    - id: non_violent
      label: {{en: Non-violent escalation, ja: 非暴力的なエスカレーション}}
      weight: 12
    - {{id: violent, label: {{en: Violent escalation, ja: 暴力的なエスカレーション}}, weight: 28}}
    - {{id: nuclear, label: {{en: Nuclear, ja: 核}}, weight: 60}}

# The action catalogue: who may take each action, its base odds and the modifiers that
# move them (conditions over the state), and its effects on success and failure.
actions:
  - id: patrol
    label: {{en: Patrol the border in force, ja: 国境を大規模に巡回}}
    instrument: military           # diplomatic, information, military or economic
    escalation: posturing          # its rung on the ladder above
    teams: all
    base_probability: 0.6
    modifiers:
      - when: tension > 70
        add: -0.2
        note: {{en: tempers are high, ja: 緊張が高まっている}}
    on_success: {{change: {{tension: 8, resolve.actor: 5}}}}
    on_failure: {{change: {{resolve.actor: -3}}}}
    narrative:
      success: {{en: "{{actor}} patrols in force.", ja: "{{actor}}が大規模な巡回を行った。"}}
      failure: {{en: "{{actor}}'s patrol turns back.", ja: "{{actor}}の巡回は引き返した。"}}
  - id: probe_resolve
    label: {{en: Gauge the other side's resolve, ja: 相手の決意を探る}}
    instrument: information
    teams: all
    targets: all                   # a targeted action names its target ({{target}}, VAR.target)
    visibility: secret
    base_probability: 0.7
    on_success: {{reveal: [resolve.target]}}
    narrative:
      success:
        en: "{{actor}} learns how determined {{target}} is."
        ja: "{{actor}}は{{target}}の決意の強さを知った。"
      failure: {{en: "{{actor}} learns nothing.", ja: "{{actor}}は何も得られなかった。"}}

# Clauses and the agreements made of them; an agreement may break each round with a
# proportional hazard h = base * exp(sum of beta * covariate).
negotiation:
  mediator: envoy
  clauses:
    - id: pullback
      label: {{en: Both sides pull back from the pass, ja: 双方が峠から撤退}}
      parties: [north, south]
      on_sign: {{change: {{tension: -15}}}}
      per_round: {{change: {{tension: -2}}}}
  agreements:
    - id: truce
      label: {{en: Truce, ja: 休戦}}
      required_clauses: [pullback]
      hazard:
        base: 0.1
        covariates:
          - id: tension
            value: tension / 10
            beta: 0.1
      on_break: {{change: {{tension: 15}}}}

# Events the white cell fires: at a round's opening (round), or when a condition holds at
# a round's close (when), with a chance if given.
injects:
  - id: storm
    label: {{en: Storm, ja: 嵐}}
    news: {{en: A storm closes the pass for a week., ja: 嵐で峠が一週間閉ざされた。}}
    round: 2
    effects: {{change: {{tension: -5}}}}

# Rules the engine applies at every round's close, optionally once per team (actor),
# with a condition, a chance and amounts that may be expressions.
dynamics:
  - id: fatigue
    label: {{en: Fatigue wears resolve down, ja: 疲弊による決意の低下}}
    teams: all
    when: tension > 60
    effects: {{change: {{resolve.actor: "-(tension - 60) / 10"}}}}
    visibility: team

# Reference cards for adjudicators; rules may cite their facts as cards.CARD.FACT.
cards:
  - id: garrisons
    title: {{en: Garrisons at the pass, ja: 峠の守備隊}}
    body: {{en: About 1200 troops on each side., ja: 双方に約1200人の部隊。}}
    facts: {{troops_each: 1200}}

# What the game is judged by at the end: yes/no (bool) or a number.
outcomes:
  - id: truce_holds
    label: {{en: A truce holds at the end, ja: 終了時に休戦が維持されている}}
    value: agreements.truce.in_force > 0
  - id: tension
    label: {{en: Final tension, ja: 最終的な緊張}}
    type: number
    value: tension

adjudication:
  min_probability: 0.02
  max_probability: 0.98
  matrix_step: 0.1                 # matrix games: odds one strong argument moves

automation:
  temperature: 0.1                 # softmax temperature of the automated players
"""


def skeleton(scenario_id: str, filename: str, schema: str = f"./{SCHEMA_FILE}") -> str:
    """A new scenario's YAML text; ``schema`` is where editors find the JSON Schema."""
    if not SCENARIO_ID.match(scenario_id) or len(scenario_id) > 64:
        raise ValueError(
            f"'{scenario_id}' is not a scenario id (lower-case letters, digits and hyphens, "
            "starting with a letter or digit, at most 64 characters)"
        )
    title = scenario_id.replace("-", " ").capitalize()
    return _SKELETON.format(id=scenario_id, title=title, filename=filename, schema=schema)
