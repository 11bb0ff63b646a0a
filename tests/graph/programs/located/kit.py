"""A component the team wrote, in the program's own files: its bucket is declared here."""

import pulumi
import pulumi_aws as aws


class PlainBucket(pulumi.ComponentResource):
    def __init__(self, name: str, dataset: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("fixture:kit:PlainBucket", name, None, opts)
        self.bucket = aws.s3.Bucket(  # line 10: the bucket inside the component
            name, bucket=name, tags={"privacy:dataset": dataset},
            opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})
