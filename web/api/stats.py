"""Statistics endpoints (/stats/summary) — filled in by the center's statistics work."""
