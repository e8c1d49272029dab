"""The fake devpod's contract: the commands and flags sindri uses, as devpod defines them.

From loft-sh/devpod v0.7.0-alpha.34 (7b38607): ``cmd/flags/flags.go`` (the global flags, among
them ``--provider``), ``cmd/{up,status,stop,delete,ssh}.go`` and
``cmd/provider/{provider,list,add,set_options}.go`` (flags, aliases, ``cobra.NoArgs``);
``cmd/root.go`` prints an error with ``log.Default.Fatal`` (``fatal <message>`` on stderr,
exit 1, vendored loft-sh/log ``stream_logger.go``). ``devpod up`` checks ``--id`` as
``pkg/workspace/workspace.go`` does (``[a-z0-9-]``, at most 48 characters) and reads each
``--workspace-env-file`` with the model of ``ParseKeyValueFile``
(:mod:`tests.devpod.devpod_parser`); what the workspace would get is recorded in
``devpod-workspace-env.json`` beside the fake.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.devpod.devpod_parser import DevpodEnvFileError, parse_key_value_file
from tests.support.cobra_model import Answer, Command, Invocation, bools, parse_or_answer, values

WORKSPACE_ENV = "devpod-workspace-env.json"
REFUSED_ID = re.compile(r"[^a-z0-9\-]+")  # pkg/provider/parse.go ProviderNameRegEx

_UP = {
    **bools(
        "configure-ssh", "gpg-agent-forwarding", "reconfigure", "recreate", "reset", "open-ide",
        "git-clone-recursive-submodules", "disable-daemon", "force-dockerless",
    ),
    **values(
        "ssh-config", "dotfiles", "dotfiles-script", "dotfiles-script-env",
        "dotfiles-script-env-file", "ide-option", "devcontainer-image", "devcontainer-path",
        "provider-option", "prebuild-repository", "workspace-env", "workspace-env-file",
        "init-env", "id", "machine", "ide", "git-clone-strategy", "git-ssh-signing-key",
        "fallback-image", "source", "daemon-interval",
    ),
}  # fmt: skip
_SSH = {
    **values(
        "forward-ports/L", "reverse-forward-ports/R", "send-env", "set-env",
        "forward-ports-timeout", "command", "user", "workdir", "reuse-ssh-auth-sock",
        "ssh-keepalive-interval",
    ),
    **bools("agent-forwarding", "gpg-agent-forwarding", "stdio", "start-services"),
}  # fmt: skip

DEVPOD = Command(
    "devpod",
    persistent={
        **values("devpod-home", "log-output", "context", "provider", "owner", "uid", "agent-dir"),
        **bools("debug", "silent"),
    },
    runnable=False,
    subcommands=(
        Command("up", _UP),
        Command("status", {**bools("container-status"), **values("output", "timeout")}),
        Command("stop", aliases=("down",)),
        Command("delete", {**bools("ignore-not-found", "force"), **values("grace-period")}),
        Command("ssh", _SSH),
        Command(
            "provider",
            runnable=False,
            subcommands=(
                Command("list", values("output"), aliases=("ls",), args=(0, 0)),
                Command(
                    "add",
                    {
                        **bools("single-machine", "use"),
                        **values("name", "from-existing", "option/o"),
                    },
                ),
                Command(
                    "set-options",
                    {**bools("single-machine", "reconfigure", "dry"), **values("option/o")},
                ),
            ),
        ),
    ),
)


def _fatal(message: str) -> Answer:
    return 1, "", f"fatal {message}\n"


def _up(env_files: list[str], workspace_id: str | None, state_dir: str) -> Answer | None:
    if workspace_id is not None:
        if REFUSED_ID.search(workspace_id):
            return _fatal("workspace name can only include smaller case letters, numbers or dashes")
        if len(workspace_id) > 48:
            return _fatal("workspace name cannot be longer than 48 characters")
    env: dict[str, str] = {}
    for name in env_files:
        try:
            env.update(parse_key_value_file(Path(name).read_bytes()))
        except (OSError, DevpodEnvFileError) as error:
            return _fatal(f"env file {name}: {error}")
    (Path(state_dir) / WORKSPACE_ENV).write_text(json.dumps(env))
    return None


def check(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    """Refuse what devpod refuses; otherwise let the test's rules answer."""
    invocation = parse_or_answer(DEVPOD, args, lambda fault: _fatal(fault.message))
    if not isinstance(invocation, Invocation):
        return invocation
    if invocation.path == ("devpod", "up"):
        files = [f for value in _all(args, "--workspace-env-file") for f in value.split(",")]
        return _up(files, invocation.flag("id"), state_dir)
    return None


def _all(args: list[str], flag: str) -> list[str]:
    """Every value of a repeatable flag (the parse keeps the last)."""
    found = [args[i + 1] for i, word in enumerate(args[:-1]) if word == flag]
    return found + [word.split("=", 1)[1] for word in args if word.startswith(flag + "=")]


def workspace_env(bin_dir: Path) -> dict[str, str] | None:
    """The variables the last ``devpod up`` put into the workspace (``None``: no up ran)."""
    path = bin_dir / WORKSPACE_ENV
    return json.loads(path.read_text()) if path.exists() else None
