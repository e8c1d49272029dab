"""``sindri providers``: what is installed, with capabilities, every plugin (providers and
others) under the name ``SINDRI_DISABLE_PLUGINS`` takes, and what failed to load."""

from __future__ import annotations

import click

from sindri_core.cli.main import Session, emit_json, json_option, pass_session


@click.command("providers")
@json_option
@pass_session
def providers(session: Session, as_json: bool) -> None:
    """List installed providers, their capabilities, and plugins that failed to load."""
    from sindri_core.plugins import get_host

    host = get_host()
    infos = list(host.check_settings())  # a provider listed here can describe its section
    for warning in host.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        emit_json(
            {
                "providers": [
                    {
                        "name": info.name,
                        "aliases": list(info.aliases),
                        "description": info.description,
                        "distribution": info.distribution,
                        "version": info.version,
                        "capabilities": {
                            "build": info.capabilities.build.value,
                            "prebuilt_image": info.capabilities.prebuilt_image,
                            "gpu": info.capabilities.gpu,
                            "tools": list(info.capabilities.tools),
                            "environment": list(info.capabilities.environment),
                        },
                    }
                    for info in infos
                ],
                "plugins": [record.to_json() for record in host.plugins()],
                "failed": [failure.to_json() for failure in host.failures],
            }
        )
        return
    if not infos:
        click.echo(
            "No providers installed: pip install 'sindri-core[all]' for every provider, or "
            "sindri-providers-docker (-fly, -devpod, -e2b, -k8s) for one; from a checkout of "
            "sindri: pip install ./sindri_providers_docker (./sindri_providers_fly, ...)"
        )
    for info in infos:
        aliases = f" (aliases: {', '.join(info.aliases)})" if info.aliases else ""
        plugin = host.plugin_name_of(info)
        loaded_as = f"  [plugin {plugin}]" if plugin != info.name else ""
        click.echo(
            f"{info.name}{aliases}  {info.distribution or '-'} {info.version or ''}".rstrip()
            + loaded_as
        )
        click.echo(f"    {info.description}")
        caps = info.capabilities
        click.echo(
            f"    builds: {caps.build.value}; pre-built images: "
            f"{'yes' if caps.prebuilt_image else 'no'}; GPU: {'yes' if caps.gpu else 'no'}; "
            f"needs: {', '.join([*caps.tools, *caps.environment]) or 'nothing'}"
        )
    others = [r for r in host.plugins() if r.provider is None and r.status == "active"]
    for record in others:
        origin = f"{record.distribution or '-'} {record.version or ''}".rstrip()
        click.echo(f"{record.name}  {origin}  (not a provider: {', '.join(record.hooks)})")
    for failure in host.failures:
        click.echo(f"{failure.name}  {failure.status}: {failure.error}")


COMMANDS = [providers]
