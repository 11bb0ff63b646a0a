"""The public website: anyone may read it, over TLS only; nobody writes through the policy."""

import json

import pulumi
import pulumi_aws as aws

site = aws.s3.Bucket("site", bucket="corp-public-site")
aws.s3.BucketWebsiteConfiguration("site-website", bucket=site.id,
                                  index_document={"suffix": "index.html"},
                                  error_document={"key": "404.html"})
block = aws.s3.BucketPublicAccessBlock("site-pab", bucket=site.id, block_public_acls=True,
                                       ignore_public_acls=True, block_public_policy=False,
                                       restrict_public_buckets=False)


def policy(arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
         "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{arn}/*"},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]})


aws.s3.BucketPolicy("site-policy", bucket=site.id, policy=site.arn.apply(policy),
                    opts=pulumi.ResourceOptions(depends_on=[block]))
aws.s3.BucketLifecycleConfiguration("site-lifecycle", bucket=site.id, rules=[{
    "id": "expire-old-pages", "status": "Enabled", "filter": {}, "expiration": {"days": 30}}])
for page in ("index.html", "404.html"):
    aws.s3.BucketObject(page, bucket=site.id, key=page, content_type="text/html",
                        content=f"<h1>{page}</h1>")
pulumi.export("url", site.website_endpoint)
