"""pulumi_aws's service packages load only the modules a program reads, and give the same
objects; a package that is not of the generated shape is imported as it is."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from guardian.graph.lazy_aws import exports

AWS = Path(importlib.util.find_spec("pulumi_aws").origin).parent


def test_exports_follow_each_modules_all():
    names = exports(AWS / "ec2" / "__init__.py")
    assert names is not None
    assert names["Vpc"] == names["VpcArgs"] == "vpc"
    assert names["get_vpc_output"] == names["GetVpcResult"] == "get_vpc"
    assert names["SecurityGroupIngressArgs"] == "_inputs"
    assert exports(AWS / "config" / "__init__.py") is None  # not the generated shape


def test_lazy_packages_hold_the_same_objects_and_load_little(tmp_path):
    code = """
import json, sys
from guardian.graph.lazy_aws import only_what_is_used
with only_what_is_used():
    import pulumi_aws as aws
    vpc_class = aws.ec2.Vpc
    result = {"loaded": sorted(m for m in sys.modules if m.startswith("pulumi_aws.ec2."))}
import pulumi_aws.ec2.vpc as module
result["same"] = vpc_class is module.Vpc and aws.ec2.VpcArgs is module.VpcArgs
result["outputs"] = aws.ec2.outputs.__name__
result["function"] = aws.ec2.get_vpc_output.__module__
result["listed"] = "SecurityGroup" in dir(aws.ec2)
try:
    aws.ec2.NoSuchThing
except AttributeError as exc:
    result["missing"] = str(exc)
result["config_region"] = hasattr(aws.config, "region")
namespace = {}
exec("from pulumi_aws.ec2 import *", namespace)
result["star"] = "FlowLog" in namespace and "Subnet" in namespace
print(json.dumps(result))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    result = json.loads(out.stdout)
    # The package has 183 modules; Vpc's own and what it imports (the shared types) load.
    assert "pulumi_aws.ec2.vpc" in result["loaded"] and len(result["loaded"]) <= 4
    assert result["same"] is True
    assert result["outputs"] == "pulumi_aws.ec2.outputs"
    assert result["function"] == "pulumi_aws.ec2.get_vpc"
    assert result["listed"] is True
    assert result["missing"] == "module 'pulumi_aws.ec2' has no attribute 'NoSuchThing'"
    assert result["config_region"] is True
    assert result["star"] is True
