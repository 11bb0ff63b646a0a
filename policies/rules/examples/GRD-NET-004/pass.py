import pulumi_aws as aws

vpc = aws.ec2.Vpc("data", cidr_block="10.0.0.0/16")
logs = aws.cloudwatch.LogGroup("data-flow-logs", retention_in_days=365)
aws.ec2.FlowLog("data-flow-log", vpc_id=vpc.id, traffic_type="ALL", log_destination=logs.arn)
