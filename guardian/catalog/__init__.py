"""The privacy catalog: model, loader and the legal geography it refers to."""

from guardian.catalog.loader import CatalogError, Problem, load_catalog
from guardian.catalog.model import Catalog, Dataset

__all__ = ["Catalog", "CatalogError", "Dataset", "Problem", "load_catalog"]
