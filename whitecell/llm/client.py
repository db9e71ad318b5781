"""An OpenAI-compatible chat-completions client (vLLM, Ollama, llama.cpp's server, hosted
APIs) with structured output, bounded retries and clear failures.

Timeouts, 429s and 5xx answers are retried with exponential backoff (a 429's
Retry-After is honoured, within bounds) until ``attempts`` calls or ``patience``
seconds are spent; then :class:`ModelUnavailable` stops the game cleanly. Other
4xx answers (a wrong key, an unknown model) stop it at once. The API key comes
from the environment and is never put in a message, a log or a report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from whitecell.agents.language_model import Messages, ModelUnavailable, Reply

if TYPE_CHECKING:  # openai is imported when a client is made: the CLI starts faster
    from openai.types.chat import ChatCompletionMessageParam


def _message(role: str, text: str) -> ChatCompletionMessageParam:
    """One message of a prompt, typed as the client wants it (prompts hold plain pairs)."""
    if role == "system":
        return {"role": "system", "content": text}
    if role == "assistant":
        return {"role": "assistant", "content": text}
    return {"role": "user", "content": text}


class OpenAIModel:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        attempts: int = 4,
        backoff: float = 1.0,
        patience: float = 120.0,
        temperature: float = 0.7,
        max_tokens: int = 1024,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import openai

        self.openai = openai
        self.name = model
        self.base_url = base_url
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
        )
        self.attempts = attempts
        self.backoff = backoff
        self.patience = patience
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.sleep = sleep
        self.retries = 0  # calls repeated after a timeout, a 429 or a 5xx

    def complete(
        self, messages: Messages, schema: dict[str, Any], *, subject: str, purpose: str
    ) -> Reply:
        openai = self.openai
        waited = 0.0
        last = ""
        for attempt in range(self.attempts):
            try:
                response = self.client.chat.completions.create(
                    model=self.name,
                    messages=[_message(role, text) for role, text in messages],
                    response_format={
                        "type": "json_schema",
                        "json_schema": {
                            "name": f"{purpose}_orders",
                            "schema": schema,
                            "strict": True,
                        },
                    },
                    temperature=self.temperature,
                    max_tokens=self.max_tokens,
                )
            except openai.RateLimitError as exc:
                last = f"429 rate limited ({_detail(exc)})"
                wait = _retry_after(exc) or self.backoff * 2**attempt
            except openai.APITimeoutError:
                last = "timed out"
                wait = self.backoff * 2**attempt
            except openai.APIConnectionError as exc:
                last = f"cannot connect ({exc.__cause__ or exc})"
                wait = self.backoff * 2**attempt
            except openai.APIStatusError as exc:
                if exc.status_code < 500:
                    raise ModelUnavailable(
                        f"the model server at {self.base_url} refused the request: "
                        f"{exc.status_code} {_detail(exc)}"
                    ) from None
                last = f"server error {exc.status_code} ({_detail(exc)})"
                wait = self.backoff * 2**attempt
            else:
                return _reply(response, self.name)
            if attempt + 1 == self.attempts or waited + wait > self.patience:
                break
            self.retries += 1
            self.sleep(wait)
            waited += wait
        raise ModelUnavailable(
            f"the model server at {self.base_url} did not answer for {subject} ({purpose}) "
            f"after {attempt + 1} attempt(s) and {waited:.0f} s of waiting: {last}"
        )


def _reply(response: Any, model: str) -> Reply:
    choice = response.choices[0] if response.choices else None
    text = (choice.message.content or "") if choice is not None else ""
    usage = response.usage
    return Reply(
        text=text,
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        model=str(getattr(response, "model", None) or model),
    )


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:200]
    return str(getattr(exc, "message", "") or exc)[:200]


def _retry_after(exc: Any, ceiling: float = 30.0) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(max(float(value), 0.0), ceiling) if value is not None else None
    except ValueError:
        return None
