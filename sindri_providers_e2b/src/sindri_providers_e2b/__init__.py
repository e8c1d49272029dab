"""sindri provider: E2B cloud sandboxes built from templates."""
