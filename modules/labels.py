"""The privacy labels every data store and key carries, so any reader can bind it to the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from guardian.catalog.model import Dataset
from guardian.graph.model import CLASSIFICATION_TAG, DATASET_TAG, OWNER_TAG, PURPOSE_TAG


@dataclass(frozen=True)
class DataLabels:
    dataset: str
    classification: str
    owner: str

    @classmethod
    def of(cls, dataset: Dataset) -> DataLabels:
        return cls(dataset.id, dataset.classification, dataset.owner)

    def tags(self, purpose: str | None = None) -> dict[str, str]:
        tags = {
            DATASET_TAG: self.dataset,
            CLASSIFICATION_TAG: self.classification,
            OWNER_TAG: self.owner,
        }
        if purpose is not None:
            tags[PURPOSE_TAG] = purpose
        return tags
