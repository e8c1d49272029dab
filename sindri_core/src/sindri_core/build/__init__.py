"""Build sources: local Dockerfile discovery, the Sindri source fetcher, fingerprints."""
