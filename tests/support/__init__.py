"""Helpers shared by tests (never imported by nn/, lab/ or pages/)."""
