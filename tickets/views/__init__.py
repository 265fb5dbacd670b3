"""Ticket pages: list, detail and its actions, the symptom form, metrics (one module each)."""
