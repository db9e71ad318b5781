"""The web: the JSON API, the live streams and the pages, over :mod:`whitecell.live`.

From the bottom up, each module importing only those above it in this list
(``tests/test_architecture.py`` checks it):

- ``i18n``, ``drain``: the web's catalogue of interface text; background work begun in
  batches when it is asked for faster than it begins;
- ``errors``, ``auth``: refusals and their text in each language; tokens, sessions,
  passwords;
- ``context``: who is asking, in which game, in which language;
- ``commands``: the API's body for each engine command;
- ``service``: the use cases the API and the pages share;
- ``stream``: one Server-Sent-Events loop for every live stream; ``forecasts``,
  ``debriefs``, ``background``: control's forecasts, a finished game's debrief, the
  server's queue of background work;
- ``rooms``, ``forms``, ``exports``, ``reports``: what a room shows, what a form sends,
  the log to take away, the after-action report;
- ``render``: pages as HTML;
- ``api``, ``pages``: the two routers;
- ``security``, ``ratelimit``, ``app``: middleware, and the app that puts it together.
"""
