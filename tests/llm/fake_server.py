"""A stand-in for a model server: a real HTTP server on loopback that speaks the OpenAI
chat-completions protocol. No model weights can be downloaded here, so instead of a model
it answers by script: each request takes the next scripted behaviour (a valid answer,
invalid JSON, a rule-breaking answer, a 429, a 500, a stall past the client's timeout),
and with the script spent it answers validly. A valid answer is built from the JSON
Schema the client sent, so it is always one the game can play."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VALID_RATIONALE = "scripted rationale"
VALID_ADVICE = "Scripted advice: hold your nerve."


def valid_answer(purpose: str, schema: dict[str, Any], prefer: Callable[[str], bool]) -> dict:
    """A valid answer to the schema: the first offered action (the ones ``prefer`` likes
    first), signing any proposal, and even odds."""
    if purpose == "act":
        choices = schema["properties"]["actions"]["items"]["anyOf"]
        choices = sorted(choices, key=lambda c: not prefer(c["properties"]["action"]["enum"][0]))
        limit = schema["properties"]["actions"]["maxItems"]
        actions = [
            {
                "action": c["properties"]["action"]["enum"][0],
                "target": c["properties"]["target"]["enum"][0],
                "rationale": VALID_RATIONALE,
            }
            for c in choices[:limit]
        ]
        return {"actions": actions, "messages": []}
    if purpose == "respond":
        return {"decision": "sign", "clauses": [], "reason": VALID_RATIONALE}
    if purpose == "advise":
        return {"answer": VALID_ADVICE}
    return {"probability": 0.6, "rationale": VALID_RATIONALE}


FOREIGN_ACTION = "press_north_korea"  # in the catalogue, but Russia's alone


def rule_breaking_answer(purpose: str, schema: dict[str, Any]) -> dict:
    """An answer that reads well but breaks a rule of the game: another team's action, a
    counter-proposal without the agreement's required clauses, odds above 1."""
    if purpose == "respond":
        return {"decision": "counter", "clauses": [], "reason": "no clauses at all"}
    if purpose == "assess":
        return {"probability": 1.7, "rationale": "more than certain"}
    move = {"action": FOREIGN_ACTION, "target": None, "rationale": "not ours to take"}
    return {"actions": [move], "messages": []}


class FakeModelServer:
    def __init__(self) -> None:
        self.script: deque[str] = deque()
        self.requests: list[dict[str, Any]] = []  # each: body, headers
        self.stall = 2.0  # seconds a "timeout" answer waits
        self.prefer: Callable[[str], bool] = lambda action: False
        # a test's own answer, from (purpose, schema, request body); None: the script's
        self.compose: Callable[[str, dict[str, Any], dict[str, Any]], dict] | None = None
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.requests.append({"body": body, "headers": dict(self.headers)})
                    step = server.script.popleft() if server.script else "valid"
                server.answer(self, step, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def answer(self, handler: BaseHTTPRequestHandler, step: str, body: dict[str, Any]) -> None:
        fmt = body.get("response_format", {}).get("json_schema", {})
        purpose = fmt.get("name", "act_orders").removesuffix("_orders")
        schema = fmt.get("schema", {})
        if step == "429":
            return _send(handler, 429, {"error": {"message": "slow down"}}, {"Retry-After": "0"})
        if step == "500":
            return _send(handler, 500, {"error": {"message": "the model fell over"}})
        if step == "timeout":
            time.sleep(self.stall)
            step = "valid"
        if step == "invalid_json":
            content = "Certainly! Here are my orders: {actions: [oops"
        elif step == "rule_break":
            content = json.dumps(rule_breaking_answer(purpose, schema))
        elif self.compose is not None:
            content = json.dumps(self.compose(purpose, schema, body))
        else:
            content = json.dumps(valid_answer(purpose, schema, self.prefer))
        prompt = sum(len(m.get("content", "")) for m in body.get("messages", [])) // 4
        # the client may have given up waiting (a scripted timeout)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            _send(
                handler,
                200,
                {
                    "id": f"chatcmpl-{len(self.requests)}",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", "scripted"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": len(content) // 4,
                        "total_tokens": prompt + len(content) // 4,
                    },
                },
            )

    def calls(self, purpose: str | None = None) -> list[dict[str, Any]]:
        out = []
        for r in self.requests:
            name = r["body"].get("response_format", {}).get("json_schema", {}).get("name", "")
            if purpose is None or name == f"{purpose}_orders":
                out.append(r)
        return out


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: dict, headers: dict | None = None
) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def running() -> Iterator[FakeModelServer]:
    server = FakeModelServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
