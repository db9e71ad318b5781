"""Rate limits on the doors (signing in, join links), as rules, with a clock we move."""

from __future__ import annotations

import asyncio

from whitecell.web.ratelimit import Buckets, Door, RateLimit

LOGIN = Door("login", "POST", "/login", burst=3, per_minute=6)  # one token per 10 s


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_attempts_wait_for_the_bucket_to_refill():
    clock = Clock()
    buckets = Buckets(clock)
    assert [buckets.take(LOGIN, "10.0.0.1") for _ in range(3)] == [0, 0, 0]
    assert buckets.take(LOGIN, "10.0.0.1") == 10.0
    clock.now += 10
    assert buckets.take(LOGIN, "10.0.0.1") == 0
    assert buckets.take(LOGIN, "10.0.0.2") == 0  # each address has its own bucket


def run(app, method: str, path: str, client: str = "10.0.0.9") -> tuple[int, dict[str, str]]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "client": (client, 5000)}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


async def passed(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_the_middleware_answers_429_with_retry_after_only_at_its_doors():
    app = RateLimit(passed, doors=(LOGIN,), buckets=Buckets(Clock()))
    assert [run(app, "POST", "/login")[0] for _ in range(3)] == [200, 200, 200]
    status, headers = run(app, "POST", "/login")
    assert status == 429 and headers["retry-after"] == "10"
    assert run(app, "GET", "/login")[0] == 200  # the form itself is not limited
    assert run(app, "POST", "/games/x/do")[0] == 200  # nor the game


def test_a_real_server_refuses_the_eleventh_sign_in_within_a_minute(tmp_path):
    from tests.web.server import Server

    server = Server(tmp_path / "whitecell.db", rate_limits=True).start()
    try:
        import httpx

        with httpx.Client(base_url=server.url) as c:
            answers = [
                c.post("/login", data={"name": "control", "password": "wrong"}).status_code
                for _ in range(11)
            ]
            assert 429 not in answers[:10] and answers[10] == 429
            refused = c.post("/login", data={"name": "control", "password": "wrong"})
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["error"]["code"] == "rate_limited"
            assert c.get("/login").status_code == 200
    finally:
        server.stop()
