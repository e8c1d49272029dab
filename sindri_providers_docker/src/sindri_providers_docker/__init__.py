"""sindri provider: Local Docker engine with Docker Compose v2."""
