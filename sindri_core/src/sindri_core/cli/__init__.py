"""The ``sindri`` command line: a thin click layer over :mod:`sindri_core.project`."""
