"""Language models at the edge: an OpenAI-compatible client and the replay of recorded
answers. The agents in ``whitecell.agents`` only see the
:class:`~whitecell.agents.language_model.LanguageModel` protocol."""
