"""Automated players. They see exactly their seat's view and act through ``decide``."""
