"""The model's version and hash as a report prints them.

The version is the installed package's (pyproject.toml); the hash is the SHA-256 of
model/shanghai.mdl, the same digest ``manifest.json`` records for every command's output
(``model.experiments.outdir.provenance``), so a printed report can be matched to a run folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

from ..paths import MODEL_FILE

PACKAGE = "plansim-shanghai"
SHORT = 12  # hex digits of the hash printed in running text (the full one is on the cover)


@dataclass(frozen=True)
class ModelStamp:
    version: str   # the package version, e.g. "1.0.0" ("unknown" when not installed)
    model_file: str  # the model file's name
    sha256: str    # its SHA-256, 64 hex digits

    @property
    def short(self) -> str:
        return self.sha256[:SHORT]


@lru_cache(maxsize=1)
def model_stamp() -> ModelStamp:
    """The stamp of the model file as it is now (read once per process)."""
    from ..experiments.outdir import sha256

    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return ModelStamp(version, MODEL_FILE.name, sha256(MODEL_FILE))
