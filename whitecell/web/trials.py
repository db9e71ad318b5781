"""The studio's "Try it": an ensemble of a saved version, played in the background, and
what it shows beside the figures of the version before.

A trial is a job (``store.jobs``) played by the server's workshop; only the account
whose scenario it is can see it or cancel it.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from typing import Any

from anyio import to_thread
from pydantic import BaseModel, Field

from whitecell.live.workshop import MAX_UNFINISHED
from whitecell.scenario.compiled import Scenario, localize
from whitecell.scenario.load import load_scenario_text
from whitecell.store.jobs import DONE, Job, Jobs
from whitecell.store.shelf import Version
from whitecell.web.context import Context
from whitecell.web.errors import ApiError
from whitecell.web.studio import FILENAME, owned

TRIAL = "trial"
DEFAULT_RUNS = 1000
MAX_RUNS = 20_000


class TrialRequest(BaseModel):
    """How many automated plays (1,000 unless said), from which seed (drawn unless given),
    of which version (the newest unless named)."""

    runs: int = Field(default=DEFAULT_RUNS, ge=1, le=MAX_RUNS)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    version: int | None = Field(default=None, ge=1, le=1_000_000)


def subject(scenario: str, number: int) -> str:
    return f"{scenario}@{number}"


@lru_cache(maxsize=16)
def compiled(text: str) -> Scenario:
    """A saved version, compiled once while it is being tried."""
    return load_scenario_text(text, FILENAME)


def pick_version(ctx: Context, account_id: str, scenario: str, number: int | None) -> Version:
    shelf = owned(ctx, account_id, scenario)
    versions = shelf.versions(scenario)
    found = versions[-1] if number is None else shelf.version(scenario, number)
    if found is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {number}")
    if not found.valid:
        raise ApiError(
            422, "version_not_valid", f"version {found.number} has problems", number=found.number
        )
    return found


async def start(ctx: Context, account_id: str, scenario: str, body: TrialRequest) -> dict[str, Any]:
    version = await to_thread.run_sync(pick_version, ctx, account_id, scenario, body.version)
    if await to_thread.run_sync(ctx.workshop.busy, account_id):
        raise ApiError(
            429,
            "too_many_jobs",
            f"you already have {MAX_UNFINISHED} trials waiting or running: wait for one, "
            "or cancel one",
            limit=MAX_UNFINISHED,
        )
    played = await to_thread.run_sync(compiled, version.yaml)
    seed = body.seed if body.seed is not None else secrets.randbits(63)
    params = {
        "scenario": scenario,
        "version": version.number,
        "digest": version.digest,
        "runs": body.runs,
        "seed": seed,
    }
    jobs = ctx.workshop.jobs
    job = await to_thread.run_sync(
        jobs.create, account_id, TRIAL, subject(scenario, version.number), params
    )
    ctx.workshop.submit_trial(job, played, body.runs, seed)
    return job_view(job)


def mine(ctx: Context, account_id: str, job_id: str) -> Job:
    """The account's job (404 for any other: another account's job is not there)."""
    job = Jobs(ctx.store).get(job_id)
    if job is None or job.account_id != account_id:
        raise ApiError(404, "no_job", f"no job {job_id!r}")
    return job


def cancel(ctx: Context, account_id: str, job_id: str) -> Job:
    job = mine(ctx, account_id, job_id)
    if job.finished or not Jobs(ctx.store).cancel(job_id):
        raise ApiError(
            409, "job_finished", f"job {job_id!r} has already finished", state=job.status
        )
    return mine(ctx, account_id, job_id)


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "subject": job.subject,
        "status": job.status,
        "progress": round(job.progress, 4),
        "done": job.done,
        "total": job.total,
        "params": job.params,
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }


def previous(ctx: Context, account_id: str, job: Job) -> Job | None:
    """The newest finished trial of the nearest earlier version that has one: the figures
    a trial is compared with."""
    scenario, number = job.params["scenario"], int(job.params["version"])
    jobs = Jobs(ctx.store)
    for earlier in range(number - 1, 0, -1):
        for other in jobs.of(account_id, subject(scenario, earlier), limit=10):
            if other.status == DONE and other.result:
                return other
    return None


STEP = re.compile(r"^(?P<kind>.+) (?P<verb>signed|broken) r(?P<round>\d+)$")


def steps(scenario: Scenario, path: str, lang: str) -> list[dict[str, str]]:
    """A path ("truce signed r2 / truce broken r3") as steps the page words: each
    agreement by its label, what happened to it, and in which round."""
    out = []
    for part in path.split(" / "):
        found = STEP.match(part)
        if found is None:
            continue  # "no agreement": no steps
        kind = scenario.agreements.get(found["kind"])
        label = localize(kind.label, lang) if kind else found["kind"]
        out.append({"label": label, "verb": found["verb"], "round": found["round"]})
    return out


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def figures(
    scenario: Scenario, result: dict[str, Any], before: dict[str, Any] | None, lang: str
) -> dict[str, Any]:
    """A trial's figures as the page shows them, each beside the same figure for the
    version before (``before``: its result), and the balance warnings by label."""
    outcomes = result.get("outcomes", {})
    earlier = (before or {}).get("outcomes", {})
    shares, numbers = [], []
    for o in scenario.outcomes:
        got, was = outcomes.get(o.id), earlier.get(o.id)
        if got is None:
            continue
        label = localize(o.label, lang) or o.id
        if o.is_bool:
            row = {
                "id": o.id,
                "label": label,
                "p": got["p"],
                "low": got["ci_low"],
                "high": got["ci_high"],
                "text": f"{pct(got['p'])} [{pct(got['ci_low'])}–{pct(got['ci_high'])}]",
                "before": None,
            }
            if was and "p" in was:
                row["before"] = f"{pct(was['p'])} [{pct(was['ci_low'])}–{pct(was['ci_high'])}]"
                row["was"] = was["p"]
            shares.append(row)
        elif got.get("mean") is not None:
            row = {
                "id": o.id,
                "label": label,
                "text": f"{got['mean']:.3g} (5–95%: {got['p5']:.3g}–{got['p95']:.3g})",
                "before": None,
            }
            if was and was.get("mean") is not None:
                row["before"] = f"{was['mean']:.3g} (5–95%: {was['p5']:.3g}–{was['p95']:.3g})"
            numbers.append(row)
    labels = {
        "outcome": {o.id: localize(o.label, lang) or o.id for o in scenario.outcomes},
        "action": {a.id: localize(a.label, lang) or a.id for a in scenario.actions},
        "clause": {c.id: localize(c.label, lang) or c.id for c in scenario.clauses.values()},
    }
    warnings = []
    for w in result.get("balance", {}).get("warnings", []):
        kind, ident = w.get("kind", ""), w.get("id", "")
        how = ""
        if kind == "outcome":
            got = outcomes.get(ident, {})
            how = "always" if got.get("count") else "never"
            if "p" not in got:
                how = "flat"
        warnings.append({"kind": kind, "how": how, "label": labels.get(kind, {}).get(ident, ident)})
    runs = int(result.get("runs", 0))
    paths = [
        {"steps": steps(scenario, p["path"], lang), "share": pct(p["share"]), "count": p["count"]}
        for p in result.get("paths", [])[:5]
    ]
    return {
        "runs": runs,
        "shares": shares,
        "numbers": numbers,
        "warnings": warnings,
        "paths": paths,
    }


def side_by_side(tried: list[Job], old: Version, new: Version, lang: str) -> dict[str, Any] | None:
    """The newest finished trial of each of two versions, figure by figure (None unless
    both were tried): what a change did to the balance, beside what it did to the text."""

    def newest(v: Version) -> Job | None:
        return next(
            (
                j
                for j in tried
                if j.status == DONE and j.result and j.params.get("version") == v.number
            ),
            None,
        )

    a, b = newest(old), newest(new)
    if a is None or b is None or a.result is None or b.result is None:
        return None
    scenario = compiled(new.yaml)
    left = figures(compiled(old.yaml), a.result, None, lang)
    right = figures(scenario, b.result, a.result, lang)
    was = {row["id"]: row["text"] for row in left["shares"] + left["numbers"]}
    rows = [
        {"label": row["label"], "old": was.get(row["id"], "—"), "new": row["text"]}
        for row in right["shares"] + right["numbers"]
    ]
    return {"old": a, "new": b, "rows": rows}


def latest_by_scenario(ctx: Context, account_id: str) -> dict[str, Job]:
    """Each scenario's newest finished trial: the shelf shows its balance at a glance."""
    out: dict[str, Job] = {}
    for job in Jobs(ctx.store).of(account_id, limit=500):
        scenario = str(job.params.get("scenario", ""))
        if job.kind == TRIAL and job.status == DONE and job.result and scenario not in out:
            out[scenario] = job
    return out


def trials_of(ctx: Context, account_id: str, scenario: str) -> list[Job]:
    """The scenario's trials, the newest first."""
    found = [
        j
        for j in Jobs(ctx.store).of(account_id, limit=200)
        if j.kind == TRIAL and j.params.get("scenario") == scenario
    ]
    return found[:20]


__all__ = [
    "DEFAULT_RUNS",
    "MAX_RUNS",
    "TrialRequest",
    "cancel",
    "compiled",
    "figures",
    "job_view",
    "latest_by_scenario",
    "mine",
    "previous",
    "side_by_side",
    "start",
    "trials_of",
]
