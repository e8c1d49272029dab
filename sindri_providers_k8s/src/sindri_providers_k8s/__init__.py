"""sindri provider: Kubernetes clusters via kubectl (pre-built images only)."""
