"""Adjudication policies: how likely an action is to succeed. The roll is the engine's."""
