import pulumi
import pulumi_aws as aws
from settings import retention_days

aws.s3.Bucket("logs")
retention_days(pulumi.Config().get("days") or "-5")
