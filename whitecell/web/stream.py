"""Server-Sent Events: one loop for every live stream, the API's and the pages'.

A stream reads the caller's view after each change of the game and sends what the
seat may see since the last message. The SSE ``id`` is the event number, so a client
that reconnects with ``Last-Event-ID`` misses nothing and sees nothing twice. Streams
end when the caller's link is revoked or reissued, or the client goes away.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence

from fastapi import Request
from fastapi.responses import StreamingResponse

from whitecell.engine import events as ev
from whitecell.live.hub import LiveGame
from whitecell.web.auth import Caller
from whitecell.web.context import Context

KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing a quiet stream
Frame = Callable[[Sequence[ev.Event]], str]


def event_frames(events: Sequence[ev.Event]) -> str:
    """The API's stream: every event the seat may see, in full (redacted by its view)."""
    return "".join(
        f"id: {e.seq}\nevent: {e.type}\ndata: "
        f"{json.dumps(ev.event_to_dict(e), ensure_ascii=False)}\n\n"
        for e in events
    )


def changed_frame(events: Sequence[ev.Event]) -> str:
    """The pages' stream: one ``changed`` message per batch; each panel fetches itself."""
    last = events[-1].seq
    return f"id: {last}\nevent: changed\ndata: {last}\n\n"


async def stream(
    request: Request,
    ctx: Context,
    live: LiveGame,
    who: Caller,
    after: int,
    frame: Frame,
    people: bool = False,
) -> AsyncIterator[str]:
    """With ``people``, a ``people`` message also tells when the game's people changed
    (a name given, a link made or shut): the rooms' rolls of people fetch themselves."""
    last = after
    roster = live.roster
    yield "retry: 1000\n\n"
    while True:
        if ctx.shut_out(who):
            return
        # the game as the hub holds it now (one let go while no stream waited on it is
        # loaded again); no await between reading the view and the number: the batch is
        # exactly what the seat may see of events up to ``last``
        live = ctx.hub.held(live.id)
        visible = live.game.view(who.seat).events(since=last)
        last = live.state.seq
        if visible:
            yield frame(visible)
        if people and live.roster != roster:
            roster = live.roster
            yield f"event: people\ndata: {roster}\n\n"
        if not await ctx.hub.wait(live.id, last, KEEPALIVE_S, roster if people else None):
            if await request.is_disconnected():
                return
            yield ": still here\n\n"


def sse(messages: AsyncIterator[str]) -> StreamingResponse:
    """A stream's messages as an HTTP response no proxy buffers."""
    return StreamingResponse(
        messages,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


__all__ = ["KEEPALIVE_S", "changed_frame", "event_frames", "sse", "stream"]
