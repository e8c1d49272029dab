"""sindri provider: Fly.io machines via flyctl."""
