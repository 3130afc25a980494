"""Admin instance endpoints (/admin/instances…) — filled in by the admin-console work."""
