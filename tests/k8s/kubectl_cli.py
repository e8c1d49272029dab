"""The fake kubectl's contract: the commands and flags sindri uses, as kubectl 1.32 defines them.

Read from the real binary the tests also run (Debian trixie ``kubectl`` 1.32.3):
``kubectl options`` (the global flags) and the ``Options:`` of ``kubectl <command> --help`` for
``get``, ``apply``, ``rollout restart``, ``rollout status``, ``scale``, ``delete``, ``exec``,
``config current-context`` and ``config get-contexts``. kubectl reports a usage error as
``error: <message>`` and ``See 'kubectl <command> --help' for usage.`` on stderr, exit 1; an
unknown word under ``rollout`` or ``config`` is ``error: unknown command "<word>"``.
The real kubectl runs every one of these argvs in ``test_real_kubectl.py``; this model keeps
the rule-based fake of the other tests from accepting what kubectl would not.
"""

from __future__ import annotations

from tests.support.cobra_model import (
    Answer,
    Command,
    Invocation,
    UsageFault,
    bools,
    parse_or_answer,
    values,
)

_GLOBAL = {
    **values(
        "as", "as-group", "as-uid", "cache-dir", "certificate-authority", "client-certificate",
        "client-key", "cluster", "context", "kubeconfig", "log-flush-frequency", "namespace/n",
        "password", "profile", "profile-output", "request-timeout", "server/s",
        "tls-server-name", "token", "user", "username", "v/v", "vmodule",
    ),
    **bools(
        "disable-compression", "insecure-skip-tls-verify", "match-server-version",
        "warnings-as-errors",
    ),
}  # fmt: skip
_PRINT = {**values("output/o", "template"), **bools("allow-missing-template-keys",
                                                    "show-managed-fields")}  # fmt: skip
_FILES = {**values("filename/f", "kustomize/k", "selector/l"), **bools("recursive/R")}

KUBECTL = Command(
    "kubectl",
    persistent=_GLOBAL,
    runnable=False,
    subcommands=(
        Command(
            "get",
            {
                **_PRINT,
                **_FILES,
                **values(
                    "chunk-size", "field-selector", "label-columns/L", "raw", "sort-by",
                    "subresource",
                ),
                **bools(
                    "all-namespaces/A", "ignore-not-found", "no-headers", "output-watch-events",
                    "server-print", "show-kind", "show-labels", "watch/w", "watch-only",
                ),
            },
        ),
        Command(
            "apply",
            {
                **_PRINT,
                **_FILES,
                **values(
                    "cascade", "dry-run", "field-manager", "grace-period", "prune-allowlist",
                    "subresource", "timeout", "validate",
                ),
                **bools(
                    "all", "force", "force-conflicts", "openapi-patch", "overwrite", "prune",
                    "server-side", "wait",
                ),
            },
        ),
        Command(
            "rollout",
            runnable=False,
            subcommands=(
                Command("restart", {**_PRINT, **_FILES, **values("field-manager")}),
                Command("status", {**_FILES, **values("revision", "timeout"), **bools("watch/w")}),
            ),
        ),
        Command(
            "scale",
            {
                **_PRINT,
                **_FILES,
                **values("current-replicas", "dry-run", "replicas", "resource-version", "timeout"),
                **bools("all"),
            },
        ),
        Command(
            "delete",
            {
                **_FILES,
                **values("cascade", "dry-run", "field-selector", "grace-period", "output/o",
                         "raw", "timeout"),
                **bools("all", "all-namespaces/A", "force", "ignore-not-found", "interactive/i",
                        "now", "wait"),
            },
        ),
        Command(
            "exec",
            {**values("container/c", "filename/f", "pod-running-timeout"),
             **bools("quiet/q", "stdin/i", "tty/t")},
        ),
        Command(
            "config",
            runnable=False,
            subcommands=(
                Command("current-context"),
                Command("get-contexts", {**values("output/o"), **bools("no-headers")}),
            ),
        ),
    ),
)  # fmt: skip


def _refusal(fault: UsageFault) -> Answer:
    return 1, "", f"error: {fault.message}\nSee '{' '.join(fault.path)} --help' for usage.\n"


def _unknown_subcommand(invocation: Invocation) -> Answer:
    """kubectl's groups run ``DefaultSubCommandRun``, which refuses arguments."""
    return 1, "", f'error: unknown command "{" ".join(invocation.args)}"\n'


def check(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    """Refuse what kubectl refuses; otherwise let the test's rules answer."""
    invocation = parse_or_answer(KUBECTL, args, _refusal, _unknown_subcommand)
    if not isinstance(invocation, Invocation):
        return invocation
    if invocation.path[-1] == "exec" and not invocation.args and not invocation.flag("filename"):
        return 1, "", "error: pod, type/name or --filename must be specified\n"
    return None
