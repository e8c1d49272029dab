"""The content fingerprint of a build (docs/adr/0002-build-fingerprint.md).

sha256 over the Dockerfile, every file of the context that ``docker build`` would send (so
``.dockerignore`` applies, with Docker's semantics) and the sorted build arguments. Paths and
permission bits are part of the hash (a rename or a ``chmod +x`` changes the image); times,
owners and the order the file system lists entries in are not. Symlinks are hashed as their
target text, never followed, as Docker sends them.

Two things at the context root are always left out: ``.sindri/``, where sindri writes the
files it generates — including the image tag derived from this fingerprint, which would
otherwise change the fingerprint on every deploy — and sindri's lock files (``<stem>.lock``
beside ``<stem>.yaml`` or ``<stem>.yml``, e.g. ``sindri.lock``), which record this
fingerprint and so cannot be part of it. ``.git/`` is hashed like any directory
(Docker sends it too); list it in ``.dockerignore`` to stop git housekeeping from causing
rebuilds.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

from sindri_core.build.dockerignore import IgnoreRules

__all__ = ["OWN_OUTPUT_DIR", "context_digest", "fingerprint"]

FORMAT = b"sindri-build-fingerprint/1\n"
OWN_OUTPUT_DIR = ".sindri"
_CHUNK = 1 << 20


def fingerprint(
    context_dir: Path,
    dockerfile: Path,
    build_args: Mapping[str, str],
    *,
    files_digest: str | None = None,
) -> str:
    """The fingerprint of building ``dockerfile`` in ``context_dir`` with ``build_args``.

    :param files_digest: :func:`context_digest` of the context when already known (an
        immutable cached checkout); computed otherwise.
    :returns: 64 lowercase hex digits.
    """
    digest = hashlib.sha256(FORMAT)
    relative = _relative(dockerfile, context_dir)
    digest.update(b"dockerfile\0" + os.fsencode(relative) + b"\0")
    digest.update(_file_sha256(dockerfile).encode() + b"\n")
    if files_digest is None:
        files_digest = context_digest(context_dir, dockerfile)
    digest.update(b"context\0" + files_digest.encode() + b"\n")
    for name in sorted(build_args):
        digest.update(b"arg\0" + f"{name}={build_args[name]}".encode() + b"\n")
    return digest.hexdigest()


def context_digest(context_dir: Path, dockerfile: Path | None = None) -> str:
    """sha256 over the context's files as Docker would send them (see the module docstring).

    The Dockerfile and ``.dockerignore`` count even when ignored: Docker sends them anyway.
    """
    rules = IgnoreRules.for_context(context_dir)
    keep = {".dockerignore"}
    if dockerfile is not None:
        keep.add(_relative(dockerfile, context_dir))
    digest = hashlib.sha256(FORMAT)
    for record in _records(rules, keep, os.fspath(context_dir), "", rules.no_hits()):
        digest.update(record)
    return digest.hexdigest()


def _records(
    rules: IgnoreRules, keep: set[str], directory: str, prefix: str, hits: tuple[bool, ...]
) -> Iterator[bytes]:
    """One record per entry below ``directory`` (``prefix`` is its context-relative path
    plus ``/``), in name order; ``hits`` are the ignore patterns its ancestors matched."""
    with os.scandir(directory) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    own_locks = _lock_files({e.name for e in entries}) if not prefix else set()
    for entry in entries:
        rel = prefix + entry.name
        if not prefix and (entry.name == OWN_OUTPUT_DIR or entry.name in own_locks):
            continue
        entry_hits = rules.hits(rel, hits) if rules else hits
        excluded = bool(rules) and rel not in keep and rules.decide(entry_hits)
        info = entry.stat(follow_symlinks=False)
        name = os.fsencode(rel)
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            if not excluded:
                yield b"d\0%s\0%o\n" % (name, mode)
            if not excluded or rules.may_descend(rel):
                yield from _records(rules, keep, entry.path, rel + "/", entry_hits)
        elif excluded:
            continue
        elif stat.S_ISLNK(info.st_mode):
            yield b"l\0%s\0%s\n" % (name, os.fsencode(Path(entry.path).readlink()))
        elif stat.S_ISREG(info.st_mode):
            yield b"f\0%s\0%o\0%s\n" % (name, mode, _file_sha256(entry.path).encode())
        else:  # fifos, sockets, devices: only their presence and kind
            yield b"o\0%s\0%o\n" % (name, stat.S_IFMT(info.st_mode))


def _lock_files(names: set[str]) -> set[str]:
    """sindri's lock files among a directory's ``names``: ``X.lock`` beside ``X.yaml``/``X.yml``."""
    configs = (name for name in names if name.endswith((".yaml", ".yml")))
    return {name.rpartition(".")[0] + ".lock" for name in configs} & names


def _file_sha256(path: str | Path) -> str:
    # os.open/os.read: no file-object or Path overhead, which dominates for small files.
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, _CHUNK):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def _relative(path: Path, context_dir: Path) -> str:
    # Not resolved: a symlinked Dockerfile is named by its own path, as `docker build -f` does.
    return Path(os.path.relpath(path.absolute(), context_dir.absolute())).as_posix()
