"""Storage at the edge: games, their append-only event logs, seats and sessions."""
