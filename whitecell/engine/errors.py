"""The one exception the engine's rules raise."""


class RuleViolation(Exception):
    """A command the rules of the game do not allow, with a message a player can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
