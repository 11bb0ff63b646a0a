"""Wildcard grants over confidential data (GRD-PUR-003), one finding per role and store however
many statements grant them: AWS's AWSGlueServiceRole (several statements reach any bucket), a
role with wildcards in two of its policies, and the edges: named actions on the bucket's own
objects pass, one `s3:Get*` fails; internal data may be granted by wildcard."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

key = kit.key("wild-key")
kit.bucket("wild-profiles", "profiles", kms=key)  # confidential
kit.bucket("wild-newsletter", "newsletter", kms=key)  # internal
PROFILES = "arn:aws:s3:::wild-profiles"
NEWSLETTER = "arn:aws:s3:::wild-newsletter"

kit.plain_role("glue-crawler", managed=["arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"])
two = kit.plain_role("two-policies", {"Effect": "Allow", "Action": "s3:*",
                                      "Resource": f"{PROFILES}/*"})
kit.aws.iam.RolePolicy("two-policies-more", role=two.id, policy=kit.doc(
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"}))
kit.plain_role("named-actions", {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                 "Resource": f"{PROFILES}/*"})
kit.plain_role("get-star", {"Effect": "Allow", "Action": "s3:Get*", "Resource": f"{PROFILES}/*"})
kit.plain_role("newsletter-all", {"Effect": "Allow", "Action": "s3:*",
                                  "Resource": [NEWSLETTER, f"{NEWSLETTER}/*"]})
