"""Guardian's own modules, built once as the catalog asks and once with a control turned off:
the profiles bucket labelled `internal` (AWS-managed key, no data events) and the payments
table without the VPC endpoint policy (labelled confidential)."""

import pulumi_aws as aws
from guardian.modules.alerting import BreachAlerting, BreachAlertingArgs
from guardian.modules.keys import DataKey, DataKeyArgs
from guardian.modules.labels import DataLabels
from guardian.modules.storage import EncryptedBucket, EncryptedBucketArgs, LogBucket
from guardian.modules.table import DataTable, DataTableArgs

logs = LogBucket("logs")
key = DataKey("profiles-key", DataKeyArgs(description="profiles"))
pay_key = DataKey("payments-key", DataKeyArgs(description="payments"))
vpc = aws.ec2.Vpc("net", cidr_block="10.0.0.0/16")
aws.ec2.FlowLog("net-flow-log", vpc_id=vpc.id, traffic_type="ALL",
                log_destination="arn:aws:logs:eu-west-1:123456789012:log-group:flow")
endpoint = aws.ec2.VpcEndpoint("net-dynamodb", vpc_id=vpc.id,
                               service_name="com.amazonaws.eu-west-1.dynamodb")

good = EncryptedBucket("profiles-bucket", EncryptedBucketArgs(
    bucket="profiles-bucket", labels=DataLabels("profiles", "confidential", "team-a"),
    retention_days=90, log_bucket=logs.bucket_name, kms_key_arn=key.arn))
# control off: labelled internal, so no customer-managed key
weak = EncryptedBucket("profiles-sse-s3", EncryptedBucketArgs(
    bucket="profiles-sse-s3", labels=DataLabels("profiles", "internal", "team-a"),
    retention_days=90, log_bucket=logs.bucket_name))
table = DataTable("payments-table", DataTableArgs(
    table="payments-table", labels=DataLabels("payments", "restricted", "team-b"),
    ttl_attribute="purge_at", kms_key_arn=pay_key.arn, vpc_endpoint_id=endpoint.id))
# control off: labelled confidential, so no endpoint-only resource policy
open_table = DataTable("payments-open", DataTableArgs(
    table="payments-open", labels=DataLabels("payments", "confidential", "team-b"),
    ttl_attribute="purge_at", kms_key_arn=pay_key.arn))
BreachAlerting("alerting", BreachAlertingArgs(
    contacts=["security@fixture.example", "dpo@fixture.example"],
    s3_data_events=[good.arn, weak.arn], dynamodb_data_events=[table.arn, open_table.arn]))
