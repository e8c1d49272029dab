"""``sindri completion bash|zsh|fish``: print the shell completion script (click's own)."""

from __future__ import annotations

import click


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(sindri completion bash)"          (in ~/.bashrc)
    zsh:   eval "$(sindri completion zsh)"           (in ~/.zshrc)
    fish:  sindri completion fish > ~/.config/fish/completions/sindri.fish
    """
    from click.shell_completion import get_completion_class

    from sindri_core.cli.main import cli

    shell_class = get_completion_class(shell)
    if shell_class is None:  # click knows all three; this guards a broken click install
        raise click.UsageError(f"no completion support for {shell}")
    script = shell_class(cli, {}, "sindri", "_SINDRI_COMPLETE").source()
    click.echo(script)


COMMANDS = [completion]
