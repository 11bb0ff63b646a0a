"""The application tier that reads customer profiles answers the whole internet: an instance
and a Fargate service behind security groups open to 0.0.0.0/0 and ::/0."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

OBJECTS = "arn:aws:s3:::profiles-bucket/*"
bucket, table = kit.profile_stores()
net = kit.network("net")
reader = kit.plain_role("profiles-reader", {"Effect": "Allow", "Action": "s3:GetObject",
                                            "Resource": OBJECTS})
# GRD-NET-005 on profiles-bucket: through the instance and the service.
kit.app_tier("web", net, reader, ["0.0.0.0/0"])
kit.app_tier("web6", net, reader, [], ipv6=["::/0"])
