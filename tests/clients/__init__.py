"""Small pywayland test clients, run as real processes by the tests."""
