"""The fake docker CLI's contract: the commands and flags sindri's image steps use.

Read from the docker CLI the tests run elsewhere (Debian ``docker.io``, CLI 28): the global
options of ``docker --help`` and the ``Options:`` of ``docker build``, ``docker images``,
``docker image inspect``, ``docker tag`` and ``docker push`` ``--help`` (the legacy builder's
``build``, as installed here). A flag error is ``unknown flag: --x`` followed by the usage, on
stderr, exit 125; an argument-count error is ``docker: 'docker <command>' requires …``, exit 1
(docker's ``cli.ExactArgs``/``RequiresMinArgs``/``RequiresMaxArgs``).
"""

from __future__ import annotations

from sindri_core.testing import FakeTool, FakeTools
from tests.support.cobra_model import Answer, Command, UsageFault, bools, refusal, values

DOCKER = Command(
    "docker",
    persistent={
        **values("config", "context/c", "host/H", "log-level/l", "tlscacert", "tlscert", "tlskey"),
        **bools("debug/D", "tls", "tlsverify"),
    },
    runnable=False,
    subcommands=(
        Command(
            "build",
            {
                **values(
                    "add-host", "build-arg", "cache-from", "cgroup-parent", "cpu-period",
                    "cpu-quota", "cpu-shares/c", "cpuset-cpus", "cpuset-mems", "file/f",
                    "iidfile", "isolation", "label", "memory/m", "memory-swap", "network",
                    "platform", "security-opt", "shm-size", "tag/t", "target", "ulimit",
                ),
                **bools("compress", "disable-content-trust", "force-rm", "no-cache", "pull",
                        "quiet/q", "rm"),
            },
            args=(1, 1),
        ),
        Command(
            "images",
            {**values("filter/f", "format"), **bools("all/a", "digests", "no-trunc", "quiet/q")},
            args=(0, 1),
        ),
        Command(
            "image",
            runnable=False,
            subcommands=(Command("inspect", values("format/f"), args=(1, None)),),
        ),
        Command("tag", args=(2, 2)),
        Command("push", bools("all-tags/a", "disable-content-trust", "quiet/q"), args=(1, 1)),
    ),
)  # fmt: skip


def _count(low: int, high: int | None) -> str:
    def plural(n: int) -> str:
        return f"{n} argument" + ("" if n == 1 else "s")

    if low == high:
        return plural(low)
    return f"at least {plural(low)}" if high is None else f"at most {plural(high)}"


def _refusal(fault: UsageFault) -> Answer:
    command = " ".join(fault.path)
    if fault.counts is not None:
        low, high = fault.counts
        return 1, "", f"docker: '{command}' requires {_count(low, high)}\n"
    return 125, "", f"{fault.message}\n\nRun '{command} --help' for more information\n"


def check(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    return refusal(DOCKER, args, _refusal)


def fake_docker(tools: FakeTools) -> FakeTool:
    """The fake ``docker`` of a test, held to the CLI's contract."""
    return tools.tool("docker").follow("tests.support.docker_cli:check")
