"""A program that provisions from the catalog its config names, as the platform stack does."""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from guardian.catalog import load_catalog

catalog = load_catalog(Path(pulumi.Config("guardian").require("catalog")))
for ds in catalog.datasets:
    for st in ds.storage:
        if st.kind == "s3":
            aws.s3.Bucket(st.name, bucket=st.name)
