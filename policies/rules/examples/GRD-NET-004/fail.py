import pulumi_aws as aws

vpc = aws.ec2.Vpc("data", cidr_block="10.0.0.0/16")
# No flow log: nobody can tell afterwards what reached the data tier.
