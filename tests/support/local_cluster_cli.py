"""The fake kind's and k3d's contracts: the commands and flags sindri uses.

kind, from kubernetes-sigs/kind fed2688 (v0.33 pre-release): ``pkg/cmd/kind/root.go``
(persistent ``--verbosity/-v``, ``--quiet/-q``), ``pkg/cmd/kind/get/{get,clusters/clusters}.go``
(``get clusters``: no arguments; names on stdout, "No kind clusters found." through the logger on
stderr), ``pkg/cmd/kind/load/{load,docker-image/docker-image}.go`` (``--name/-n``, ``--nodes``;
at least one image), and ``cmd/kind/app/main.go`` (errors as ``ERROR: <message>`` on stderr,
exit 1).

k3d, from k3d-io/k3d 46f3480 (v5.9): ``cmd/root.go`` (persistent ``--verbose``, ``--trace``,
``--timestamps``; errors printed by cobra as ``Error: <message>`` and then logged with
logrus ``Fatalln``, both on stderr, exit 1), ``cmd/cluster/{cluster,clusterList}.go``
(``list`` alias ``ls``/``get``, ``--no-headers``, ``--token``, ``--output/-o``) and
``cmd/image/{image,imageImport}.go`` (``image`` alias ``images``; ``import`` alias ``load``,
``--cluster/-c``, ``--keep-tarball/-k``, ``--keep-tools/-t``, ``--mode/-m``; at least one
image).
"""

from __future__ import annotations

from sindri_core.testing import FakeTool, FakeTools
from tests.support.cobra_model import Answer, Command, UsageFault, bools, refusal, values

KIND = Command(
    "kind",
    persistent={**values("verbosity/v"), **bools("quiet/q")},
    runnable=False,
    subcommands=(
        Command("get", runnable=False, subcommands=(Command("clusters", args=(0, 0)),)),
        Command(
            "load",
            runnable=False,
            subcommands=(Command("docker-image", values("name/n", "nodes"), args=(1, None)),),
        ),
    ),
)

K3D = Command(
    "k3d",
    persistent=bools("verbose", "trace", "timestamps"),
    runnable=False,
    subcommands=(
        Command(
            "cluster",
            runnable=False,
            subcommands=(
                Command(
                    "list",
                    {**bools("no-headers", "token"), **values("output/o")},
                    aliases=("ls", "get"),
                ),
            ),
        ),
        Command(
            "image",
            aliases=("images",),
            runnable=False,
            subcommands=(
                Command(
                    "import",
                    {**values("cluster/c", "mode/m"), **bools("keep-tarball/k", "keep-tools/t")},
                    aliases=("load",),
                    args=(1, None),
                ),
            ),
        ),
    ),
)


def check_kind(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    return refusal(KIND, args, lambda fault: (1, "", f"ERROR: {fault.message}\n"))


def _k3d_refusal(fault: UsageFault) -> Answer:
    return 1, "", f"Error: {fault.message}\nFATA[0000] {fault.message}\n"


def check_k3d(args: list[str], stdin: str, state_dir: str) -> Answer | None:
    return refusal(K3D, args, _k3d_refusal)


def fake_local_cluster_tool(tools: FakeTools, name: str) -> FakeTool:
    """The fake ``kind`` or ``k3d`` of a test, held to its contract."""
    return tools.tool(name).follow(f"tests.support.local_cluster_cli:check_{name}")
