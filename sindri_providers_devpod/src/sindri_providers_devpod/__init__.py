"""sindri provider: DevPod workspaces on Docker, Kubernetes, SSH or cloud VMs."""
