"""The fake flyctl's contract: the commands and flags sindri uses, as flyctl defines them.

From superfly/flyctl ``ad0172f`` (2026-08-21): ``internal/command/root/root.go`` (persistent
``--access-token/-t``, ``--verbose``, ``--debug``), ``internal/flag/flag.go`` (``App`` =
``--app/-a``, ``AppConfig`` = ``--config/-c``, ``JSONOutput`` = ``--json/-j``, ``Org`` =
``--org/-o``, ``Region`` = ``--region/-r``, ``Yes`` = ``--yes/-y``, the build flags), and
``internal/command/{auth/whoami,apps/{list,create,destroy},volumes/{list,create},
secrets/{secrets,import,list,unset},ips/{list,allocate},deploy/deploy,machine/{machine,list,
start,stop,destroy},ssh/console}.go`` (their flags, aliases and ``cobra.*Args``). Errors:
``internal/cli/cli.go`` prints ``Error: <message>`` on stderr and exits 1.

``secrets import`` reads stdin with the model of flyctl's parser (:mod:`tests.fly.flyctl_parser`)
and records what Fly would store in ``flyctl-secrets.json`` beside the fake.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.fly.flyctl_parser import FlyctlParseError, parse_secrets
from tests.support.cobra_model import Answer, Command, Invocation, bools, parse_or_answer, values

STORED_SECRETS = "flyctl-secrets.json"

_APP = values("app/a", "config/c")
_SECRETS_SHARED = {**_APP, **bools("detach", "stage", "dns-checks")}
_BUILD = {
    **values(
        "image/i", "dockerfile", "ignorefile", "image-label", "build-target", "depot",
        "depot-scope", "buildkit-addr", "buildkit-image", "compression", "compression-level",
        "strategy", "build-context-warn-size",
    ),
    **values("build-secret", "build-arg", "env/e"),
    **bools(
        "now", "remote-only", "local-only", "push", "detach", "no-cache", "nixpacks", "buildkit",
        "build-only", "recreate-builder", "yes/y",
    ),
}  # fmt: skip
_DEPLOY = {
    **_APP,
    **_BUILD,
    **values(
        "wait-timeout", "release-command-timeout", "lease-timeout", "max-unavailable",
        "file-local", "file-literal", "file-secret", "primary-region", "regions",
        "exclude-regions", "only-machines", "exclude-machines", "process-groups", "label",
        "max-concurrent", "immediate-max-concurrent", "volume-initial-size", "signal",
        "deploy-retries", "builder-pool", "export-manifest", "from-manifest",
    ),
    **bools(
        "force-machines", "ha", "smoke-checks", "dns-checks", "no-public-ips", "flycast",
        "update-only", "skip-release-command",
    ),
}  # fmt: skip

FLYCTL = Command(
    "flyctl",
    persistent={**values("access-token/t"), **bools("verbose", "debug")},
    runnable=False,
    subcommands=(
        Command("auth", runnable=False, subcommands=(Command("whoami", bools("json/j")),)),
        Command(
            "apps",
            aliases=("app",),
            runnable=False,
            subcommands=(
                Command("list", {**bools("json/j", "quiet/q"), **values("org/o")}, aliases=("ls",)),
                Command(
                    "create",
                    {
                        **values("name", "network", "org/o"),
                        **bools("generate-name", "machines", "yes/y", "save", "json/j"),
                    },
                    args=(0, 1),
                ),
                Command("destroy", bools("yes/y"), aliases=("delete", "remove", "rm")),
            ),
        ),
        Command(
            "volumes",
            aliases=("volume", "vol", "v"),
            runnable=False,
            subcommands=(
                Command("list", {**_APP, **bools("all", "json/j")}, aliases=("ls",)),
                Command(
                    "create",
                    {
                        **_APP,
                        **values(
                            "region/r",
                            "size/s",
                            "snapshot-retention",
                            "snapshot-id",
                            "fs-type",
                            "count/n",
                        ),
                        **bools(
                            "scheduled-snapshots",
                            "no-encryption",
                            "require-unique-zone",
                            "unique-zone-app-wide",
                            "yes/y",
                            "json/j",
                        ),
                    },
                    args=(1, 1),
                ),
            ),
        ),
        Command(
            "secrets",
            runnable=False,
            subcommands=(
                Command("import", _SECRETS_SHARED, args=(0, 0)),
                Command("list", {**_APP, **bools("json/j")}, aliases=("ls",)),
                Command("unset", _SECRETS_SHARED, args=(1, None)),
            ),
        ),
        Command(
            "ips",
            aliases=("ip",),
            runnable=False,
            subcommands=(
                Command("list", {**_APP, **bools("json/j")}, aliases=("ls",)),
                Command(
                    "allocate-v6",
                    {**_APP, **values("region/r", "org/o", "network"), **bools("private")},
                ),
                Command("allocate-v4", {**_APP, **values("region/r"), **bools("shared", "yes/y")}),
            ),
        ),
        Command("deploy", _DEPLOY, args=(0, 1)),
        Command(
            "machine",
            aliases=("machines", "m"),
            runnable=False,
            subcommands=(
                Command(
                    "list", {**_APP, **bools("json/j", "quiet/q")}, aliases=("ls",), args=(0, 0)
                ),
                Command("start", _APP),
                Command("stop", {**_APP, **values("signal/s", "timeout", "wait-timeout/w")}),
                Command(
                    "destroy",
                    {**_APP, **bools("force/f"), **values("image/i")},
                    aliases=("remove", "rm"),
                ),
            ),
        ),
        Command(
            "ssh",
            runnable=False,
            subcommands=(
                Command(
                    "console",
                    {
                        **_APP,
                        **values(
                            "org/o",
                            "command/C",
                            "machine",
                            "region/r",
                            "address/A",
                            "container",
                            "user/u",
                            "process-group/g",
                        ),
                        **bools("select/s", "quiet/q", "no-container", "pty"),
                    },
                    args=(0, 1),
                ),
            ),
        ),
    ),
)


def _import_secrets(stdin: str, state_dir: str) -> Answer | None:
    try:
        secrets = parse_secrets(stdin.encode("utf-8", "surrogateescape"))
    except FlyctlParseError as error:
        return 1, "", f"Error: Failed to parse secrets from stdin: {error}\n"
    if not secrets:
        return 1, "", "Error: requires at least one SECRET=VALUE pair\n"
    store = Path(state_dir) / STORED_SECRETS
    stored = json.loads(store.read_text()) if store.exists() else {}
    stored.update({k: v.decode("utf-8", "surrogateescape") for k, v in secrets.items()})
    store.write_text(json.dumps(stored))
    return None


def check(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    """Refuse what flyctl refuses; otherwise let the test's rules answer."""
    invocation = parse_or_answer(FLYCTL, args, lambda fault: (1, "", f"Error: {fault.message}\n"))
    if not isinstance(invocation, Invocation):
        return invocation
    if invocation.path == ("flyctl", "secrets", "import"):
        return _import_secrets(stdin, state_dir)
    return None


def stored_secrets(bin_dir: Path) -> dict[str, str]:
    """What the fake Fly holds after ``secrets import`` calls (name → value)."""
    store = bin_dir / STORED_SECRETS
    return json.loads(store.read_text()) if store.exists() else {}
