"""The image chain: references, registry client, version ranges, resolution, verification."""
