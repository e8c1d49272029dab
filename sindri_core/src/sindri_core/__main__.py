"""``python -m sindri_core``: the same as the ``sindri`` command."""

from sindri_core.cli.main import main

main()
