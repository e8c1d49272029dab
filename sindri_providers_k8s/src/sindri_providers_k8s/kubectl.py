"""kubectl: the only way this provider talks to a cluster.

Every call goes through :class:`Kubectl`, which adds ``--context`` when one is configured (so
a change of the user's current context between two commands never redirects a deploy), uses
the provider's timeouts, and turns kubectl's "NotFound" answers into ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import attrs

from sindri_core.plugin import CommandResult, CommandRunner, ConfigError, OperationError, describe

__all__ = ["LOGIN_SHELL", "Kubectl", "not_found"]

QUERY_TIMEOUT = 60.0
APPLY_TIMEOUT = 300.0
WAIT_MARGIN = 30.0  # kubectl's own --timeout fires first; ours only guards a hung client
LOGIN_SHELL = ("bash", "-l")
# kubectl delete prints `deployment.apps "x" deleted` on stdout for each deleted object; a
# selector that matches nothing prints "No resources found" there too.
DELETED_LINE = re.compile(r'^\S+ "[^"]+" deleted\b')


@attrs.frozen
class Kubectl:
    """kubectl bound to one context (``None``: the kubeconfig's current context)."""

    runner: CommandRunner
    context: str | None = None

    def argv(self, *args: str) -> list[str]:
        """``kubectl ARGS --context C``; before a ``--`` so the flag stays kubectl's."""
        if not self.context:
            return ["kubectl", *args]
        words = list(args)
        cut = words.index("--") if "--" in words else len(words)
        return ["kubectl", *words[:cut], "--context", self.context, *words[cut:]]

    def run(
        self,
        *args: str,
        input: str | None = None,
        timeout: float = QUERY_TIMEOUT,
        check: bool = True,
    ) -> CommandResult:
        result = self.runner.run(self.argv(*args), input=input, timeout=timeout, check=False)
        if not result.ok:
            unreachable = unreachable_cluster(result)
            if unreachable is not None:
                raise OperationError(unreachable)
            if check:
                result.check()
        return result

    # -- the kubeconfig -----------------------------------------------------------------------

    def context_name(self) -> str:
        """The context every call uses: the configured one (checked to exist) or the current.

        :raises ConfigError: the configured context is not in the kubeconfig.
        :raises OperationError: no context is configured and the kubeconfig has no current one.
        """
        if self.context:
            result = self.run("config", "get-contexts", self.context, "-o", "name", check=False)
            if not result.ok:
                raise ConfigError(
                    f"{self.context!r} is not a context in the kubeconfig",
                    path="providers.kubernetes.context",
                    hint="list them with `kubectl config get-contexts`",
                )
            return self.context
        result = self.run("config", "current-context", check=False)
        name = result.stdout.strip()
        if not result.ok or not name:
            raise OperationError(
                "kubectl has no current context: "
                + (result.last_lines() or "the kubeconfig is empty"),
                hint="set providers.kubernetes.context or run `kubectl config use-context NAME`",
            )
        return name

    # -- reading objects -------------------------------------------------------------------------

    def get(self, kind: str, name: str, namespace: str) -> dict[str, Any] | None:
        """One object as JSON, or ``None`` when the cluster says it does not exist."""
        result = self.run("get", kind, name, "-n", namespace, "-o", "json", check=False)
        if result.ok:
            return _json(result)
        if not_found(result):
            return None
        raise _failure(result)

    def select(self, kind: str, namespace: str, selector: str) -> list[dict[str, Any]]:
        """The objects of ``kind`` matching a label selector."""
        result = self.run("get", kind, "-n", namespace, "-l", selector, "-o", "json")
        return list(_json(result).get("items") or [])

    # -- changing objects ------------------------------------------------------------------------

    def apply(self, manifests: str, *, force_conflicts: bool = False) -> CommandResult:
        """Server-side apply of a multi-document YAML stream read from stdin.

        The stream may hold Secret values: stdin keeps them off the command line and the disk.
        """
        args = ["apply", "--server-side", "--field-manager=sindri"]
        if force_conflicts:
            args.append("--force-conflicts")
        return self.run(*args, "-f", "-", input=manifests, timeout=APPLY_TIMEOUT)

    def rollout_restart(self, deployment: str, namespace: str) -> None:
        self.run("rollout", "restart", f"deployment/{deployment}", "-n", namespace)

    def rollout_status(self, deployment: str, namespace: str, timeout: int) -> CommandResult:
        return self.run(
            "rollout",
            "status",
            f"deployment/{deployment}",
            "-n",
            namespace,
            f"--timeout={timeout}s",
            timeout=timeout + WAIT_MARGIN,
            check=False,
        )

    def scale(self, deployment: str, namespace: str, replicas: int) -> CommandResult:
        args = ("scale", f"deployment/{deployment}", f"--replicas={replicas}", "-n", namespace)
        return self.run(*args, check=False)

    def delete(self, kinds: Sequence[str], namespace: str, selector: str) -> list[str]:
        """Delete what matches; returns kubectl's line for each object it deleted."""
        result = self.run(
            "delete",
            ",".join(kinds),
            "-n",
            namespace,
            "-l",
            selector,
            "--ignore-not-found",
            timeout=APPLY_TIMEOUT,
        )
        return [line for line in result.stdout.splitlines() if DELETED_LINE.match(line)]

    def exec_argv(self, deployment: str, namespace: str, command: Sequence[str]) -> list[str]:
        """The interactive ``kubectl exec`` into the deployment's pod."""
        return self.argv("exec", "-it", f"deploy/{deployment}", "-n", namespace, "--", *command)


# kubectl's own words when no API server answers (k8s.io/kubectl/pkg/cmd/util/helpers.go,
# StandardErrorMessage), and client-go's request line it logs, up to five times, before them.
_REFUSED = re.compile(r"The connection to the server (\S+) was refused")
_UNABLE = re.compile(r"Unable to connect to the server: (.+)")
_REQUEST = re.compile(r'Get \\?"(https?://[^/"\\]+)[^"]*\\?": (?:dial tcp [^:]+:\d+: )?(.+?)\\?"?$')


def unreachable_cluster(result: CommandResult) -> str | None:
    """One line for a cluster whose API server cannot be reached (kubectl repeats it on
    every line of its stderr), or ``None`` for any other failure."""
    text = result.stderr
    refused = _REFUSED.search(text)
    unable = _UNABLE.search(text)
    if refused is None and unable is None:
        return None
    request = next((m for m in map(_REQUEST.search, text.splitlines()) if m is not None), None)
    server = request.group(1) if request else (refused.group(1) if refused else "its server")
    if refused is not None:
        reason = "connection refused"
    else:
        assert unable is not None
        detail = unable.group(1).strip()
        reason = request.group(2).strip() if request else detail
    return (
        f"the Kubernetes cluster at {server} cannot be reached ({reason}); check that it "
        "runs and that the kubeconfig's context points at it"
    )


def not_found(result: CommandResult) -> bool:
    """kubectl's answer for a missing object: ``Error from server (NotFound): ...``."""
    return result.returncode != 0 and "(NotFound)" in result.stderr


def _json(result: CommandResult) -> dict[str, Any]:
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise OperationError(f"{describe(result.argv, 4)} printed no JSON") from None
    return data if isinstance(data, dict) else {}


def _failure(result: CommandResult) -> OperationError:
    return OperationError(
        f"{describe(result.argv, 4)} failed with exit status {result.returncode}: "
        f"{result.last_lines()}"
    )
