"""Which image the Deployment runs, and how it reaches the cluster.

Kubernetes never builds (``BuildLocation.NEVER``: the core's image chain refuses every way to
its build level): a cluster pulls images from registries, so the image must be built (in CI)
and pushed before deploying.

Images that only exist in the local Docker engine are the other trap: a kind or k3d cluster
can be given them (:func:`make_available` loads them), a remote cluster cannot, and its pods
would sit in ``ImagePullBackOff``; sindri says so before applying anything.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sindri_core.plugin import ImageReference, OperationError

if TYPE_CHECKING:
    from sindri_core.plugin import (
        CommandRunner,
        Console,
        ImageResolution,
        LocalCluster,
    )

__all__ = ["make_available", "pinned_reference"]


def pinned_reference(image: ImageResolution) -> str:
    """The chain's reference, pinned by digest when the chain knows the digest."""
    reference = image.reference or ""
    if image.digest and "@" not in reference:
        return f"{reference}@{image.digest}"
    return reference


def make_available(
    runner: CommandRunner,
    cluster: LocalCluster | None,
    reference: str,
    *,
    pull_policy: str,
    console: Console,
) -> str | None:
    """Make sure the cluster can get ``reference``; returns what was done, if anything.

    - pinned by digest: the cluster pulls exactly that from its registry; nothing to do;
    - kind/k3d: an image present in the local engine is loaded into the cluster's nodes;
    - remote: an image the local engine has but never pulled from or pushed to its
      repository exists nowhere the cluster can reach: refused.

    :raises OperationError: the image exists only locally and the cluster is remote.
    """
    # Here, not at module level: the image chain's wrapper imports this module on every
    # `sindri image resolve`, which never touches Docker or a cluster.
    from sindri_core.plugin import image_exists_locally, load_image

    parsed = ImageReference.parse(reference, field="deployment.image")
    if parsed.digest is not None or runner.which("docker") is None:
        return None
    if cluster is not None:
        if not image_exists_locally(runner, reference):
            return None
        if pull_policy == "Always":
            console.warn(
                f"pull_policy Always: the cluster pulls {reference} from its registry and "
                "ignores the copy loaded from the local engine"
            )
        console.step(f"Loading {reference} into the {cluster.describe()}")
        load_image(runner, cluster, reference)
        return f"Loaded {reference} into the {cluster.describe()}"
    pushed = _pushed_names(runner, reference)
    if pushed is not None and parsed.name not in pushed:
        raise OperationError(
            f"{reference} exists only in the local Docker engine (it was never pushed to "
            f"{parsed.registry}), so the cluster cannot pull it",
            hint=f"push it (`docker push {reference}`) or deploy to a kind/k3d context",
        )
    return None


def _pushed_names(runner: CommandRunner, reference: str) -> set[str] | None:
    """Repositories the local image was pulled from or pushed to; ``None``: not local.

    Docker records a repository digest (``RepoDigests``) for every registry round trip, so
    an image built here and never pushed has none.
    """
    from sindri_core.plugin import QUERY_TIMEOUT

    result = runner.run(
        ["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", reference],
        timeout=QUERY_TIMEOUT,
        check=False,
    )
    if not result.ok:
        return None
    names = json.loads(result.stdout.strip() or "null") or []
    return {ImageReference.parse(entry).name for entry in names}
