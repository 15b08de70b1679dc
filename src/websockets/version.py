"""Version of the websockets package."""

__all__ = ["version", "tag"]

#: The version, as a string.
version = "0.1.0"

#: The release tag of this version.
tag = version
