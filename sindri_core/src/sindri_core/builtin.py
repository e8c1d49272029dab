"""The core's own plugin: default implementations of the shared hooks.

Both are ``trylast``: a provider that answers replaces them, a provider that wraps them
(``wrapper=True``) adjusts their answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sindri_core import hookimpl

if TYPE_CHECKING:
    from sindri_core.build.context import BuildContext, BuildContextRequest
    from sindri_core.image.resolution import ImageRequest, ImageResolution


@hookimpl(trylast=True)
def sindri_resolve_image(request: ImageRequest) -> ImageResolution:
    from sindri_core.image.chain import resolve

    return resolve(request)


@hookimpl(trylast=True)
def sindri_fetch_build_context(request: BuildContextRequest) -> BuildContext | None:
    from sindri_core.build.fetch import fetch_build_context

    return fetch_build_context(request)
