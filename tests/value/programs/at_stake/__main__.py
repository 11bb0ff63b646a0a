"""The same mistakes on two datasets: ten test records, and two million card holders.

Each bucket is public (a public-read ACL, no public access block) and unencrypted in transit
(no TLS-only policy) and under no customer key. Bucket names sort the test data first, so only
what is at stake can put the card holders on top.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "policies" / "programs"))
import teamkit as kit  # noqa: E402

for name, dataset in (("aaa-test-records", "archive_test"), ("zzz-cardholders", "cardholders")):
    kit.bucket(name, dataset, pab="none", acl="public-read", tls=False)
