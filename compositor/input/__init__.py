"""Seat, keyboard, pointer and cursor, key bindings, injected headless input."""
