"""Live games in a server: the application service between the web and the store.

A command flows down from ``web`` through :class:`~whitecell.live.hub.Hub` to the store
and the engine; nothing here knows HTTP. Language-model seats and the notifications
between server processes live here too, because the hub drives them.
"""
