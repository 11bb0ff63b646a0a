"""Offline synthesis of Pulumi programs nobody here wrote: what the graph holds, exactly."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.errors import UserError
from guardian.graph import computed
from guardian.graph.model import SECRET, UNKNOWN, ResourceGraph
from guardian.graph.program import find_project, stack_config, synthesize

PROGRAMS = Path(__file__).parent / "programs"
THIRDPARTY = PROGRAMS / "thirdparty"
RAISES = PROGRAMS / "raises"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return synthesize(THIRDPARTY)


def one(graph: ResourceGraph, name: str):
    found = graph.named(name)
    assert len(found) == 1, f"{name}: {len(found)} resources"
    return found[0]


def test_inline_bucket_arguments_are_kept_under_their_wire_names(graph):
    archive = one(graph, "archive")
    assert archive.type == "aws:s3/bucket:Bucket"
    assert archive.inputs["serverSideEncryptionConfiguration"] == {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    }
    assert archive.inputs["lifecycleRules"] == [{"enabled": True, "expirations": [{"days": 90}]}]
    assert archive.inputs["acl"] == "private"
    assert archive.dataset == "orders_payments"


def test_computed_attributes_have_the_real_formats(graph):
    archive = one(graph, "archive")
    assert archive.outputs["arn"] == "arn:aws:s3:::checkout-archive"
    assert archive.outputs["id"] == "checkout-archive"
    vpc = one(graph, "shop")
    assert vpc.outputs["id"].startswith("vpc-") and len(vpc.outputs["id"]) == 21
    assert vpc.outputs["arn"] == f"arn:aws:ec2:eu-central-1:{computed.ACCOUNT_ID}:vpc/" \
        + vpc.outputs["id"]
    role = one(graph, "reader")
    # No name given: the provider would generate `<logical>-<7 characters>`.
    assert role.outputs["name"].startswith("reader-") and len(role.outputs["name"]) == 14
    assert role.outputs["arn"] == f"arn:aws:iam::{computed.ACCOUNT_ID}:role/{role.outputs['name']}"
    assert graph.by_arn("arn:aws:s3:::checkout-archive") is archive


def test_policies_built_with_output_all_apply_resolve_to_arns(graph):
    policy = json.loads(one(graph, "reader-policy").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == [
        "arn:aws:s3:::checkout-archive/*", "arn:aws:s3:::checkout-replica/*",
    ]
    reader, archive = one(graph, "reader"), one(graph, "archive")
    deps = one(graph, "reader-policy").property_dependencies
    assert set(deps["policy"]) == {archive.urn, one(graph, "replica").urn}
    assert deps["role"] == (reader.urn,)


def test_region_comes_from_the_explicit_provider_else_the_stack_config(graph):
    replica, archive, provider = one(graph, "replica"), one(graph, "archive"), one(graph, "us")
    assert provider.type == "pulumi:providers:aws"
    assert replica.region == "us-west-2"
    assert replica.provider.startswith(provider.urn + "::")
    domain = replica.outputs["bucketRegionalDomainName"]
    assert domain == "checkout-replica.s3.us-west-2.amazonaws.com"
    assert replica.tags == {"cost-centre": "42"}  # the provider's default tags
    assert archive.region == "eu-central-1" and archive.provider is None


def test_data_sources_answer_for_the_region(graph):
    zones = [one(graph, f"shop-{i}").inputs["availabilityZone"] for i in (0, 1)]
    assert zones == ["eu-central-1a", "eu-central-1b"]
    stack = graph.of_type("pulumi:pulumi:Stack")[0]
    assert stack.outputs["zones"] == ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    assert stack.outputs["archiveArn"] == "arn:aws:s3:::checkout-archive"


def test_stack_references_are_unknown_not_invented(graph):
    ref = one(graph, "acme/network/prod")
    assert ref.type == "pulumi:pulumi:StackReference"
    assert ref.outputs["outputs"] == UNKNOWN
    shared = one(graph, "shared")
    assert shared.inputs["bucket"] == UNKNOWN
    assert shared.outputs["arn"] == UNKNOWN  # built from an unknown name, so unknown itself
    assert shared.dependencies == (ref.urn,)


def test_secrets_are_marked_and_their_values_never_leave(graph):
    param = one(graph, "db-password")
    assert param.inputs["value"] == SECRET
    assert "AAABAGkP0O8rU4Hbq0VZ0a5Kd1rQ" not in graph.dumps()


def test_urns_parents_and_the_stack_follow_the_engine(graph):
    stack = graph.of_type("pulumi:pulumi:Stack")[0]
    assert stack.urn == "urn:pulumi:dev::shop-data::pulumi:pulumi:Stack::shop-data-dev"
    archive = one(graph, "archive")
    assert archive.urn == "urn:pulumi:dev::shop-data::aws:s3/bucket:Bucket::archive"
    assert archive.parent == stack.urn
    assert graph.source.kind == "program"


def test_twice_in_one_process_gives_the_same_bytes(graph):
    assert synthesize(THIRDPARTY).dumps() == graph.dumps()


def test_config_overrides_win_over_the_stack_file():
    graph = synthesize(THIRDPARTY, config={"team": "ledger", "aws:region": "eu-north-1"})
    archive = one(graph, "archive")
    assert archive.inputs["bucket"] == "ledger-archive"
    assert archive.region == "eu-north-1"


def test_stack_config_qualifies_keys_and_hides_secure_values():
    project = find_project(THIRDPARTY)
    config, secret_keys = stack_config(project, "dev", {"extra": "1"})
    assert config["shop-data:team"] == "checkout"
    assert config["shop-data:extra"] == "1"
    assert config["shop-data:dbPassword"] == SECRET
    assert secret_keys == ["shop-data:dbPassword"]


def test_a_raising_program_is_a_user_error_with_the_users_frames_only():
    with pytest.raises(UserError) as caught:
        synthesize(RAISES)
    text = str(caught.value)
    assert "ValueError: retention must be positive, got -5" in text
    assert f'{RAISES / "__main__.py"}", line 6' in text
    assert f'{RAISES / "settings.py"}", line 4, in retention_days' in text
    assert "pulumi" + "/runtime" not in text and "asyncio" not in text
    assert "guardian/graph/program.py" not in text


def test_a_failed_run_does_not_spoil_the_next(graph):
    with pytest.raises(UserError):
        synthesize(RAISES)
    assert synthesize(THIRDPARTY).dumps() == graph.dumps()


@pytest.mark.parametrize("files, message", [
    ({}, "no Pulumi.yaml"),
    ({"Pulumi.yaml": "name: web\nruntime: nodejs\n"}, "only Python programs"),
    ({"Pulumi.yaml": "name: web\nruntime: python\n"}, "no __main__.py"),
    ({"Pulumi.yaml": "name: [web\n"}, "Pulumi.yaml:2: not valid YAML"),
])
def test_broken_projects_are_user_errors(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(UserError, match=message.replace(".", r"\.")):
        synthesize(tmp_path)


def test_cli_writes_the_same_bytes_twice_and_maps_errors_to_exit_2(tmp_path, capsys):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["synth", "--program", str(THIRDPARTY), "-o", str(first)]) == 0
    assert main(["synth", "--program", str(THIRDPARTY), "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert ResourceGraph.from_json(json.loads(first.read_text())).named("archive")
    assert main(["synth", "--program", str(RAISES)]) == 2
    assert "retention must be positive" in capsys.readouterr().err
    assert main(["synth", "--program", str(THIRDPARTY), "--config", "novalue"]) == 2


def test_importing_the_synthesis_code_does_not_import_pulumi_aws():
    code = ("import sys, guardian.graph.program, guardian.graph.cli_synth, guardian.cli; "
            "print('pulumi_aws' in sys.modules, 'pulumi' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_get_policy_document_becomes_iam_json():
    result = computed.invoke("aws:iam/getPolicyDocument:getPolicyDocument", {"statements": [{
        "effect": "Deny", "actions": ["s3:*"], "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
        "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
    }]}, "eu-west-1")
    assert json.loads(result["json"]) == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}


@pytest.fixture
def needs_team(tmp_path: Path) -> Path:
    """A project whose program requires `team` and has a project default for `env`."""
    (tmp_path / "Pulumi.yaml").write_text(
        "name: needs\nruntime: python\nconfig:\n  env:\n    default: base\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\nconfig = pulumi.Config()\n"
        "aws.s3.Bucket('b', bucket=config.require('team') + '-' + config.require('env'))\n")
    return tmp_path


def test_a_stack_without_its_file_warns_and_uses_defaults_and_overrides(needs_team, capsys):
    graph = synthesize(needs_team, "prod", {"team": "ledger"})
    assert one(graph, "b").inputs["bucket"] == "ledger-base"
    err = capsys.readouterr().err
    assert (f"guardian: warning: no Pulumi.prod.yaml in {needs_team.resolve()}: using the "
            "project's config defaults and --config only") in err

    (needs_team / "Pulumi.prod.yaml").write_text("config:\n  needs:team: ops\n")
    assert one(synthesize(needs_team, "prod"), "b").inputs["bucket"] == "ops-base"
    assert "warning" not in capsys.readouterr().err


def test_a_missing_required_value_names_the_missing_stack_file(needs_team, capsys):
    with pytest.raises(UserError) as caught:
        synthesize(needs_team, "prod")
    text = str(caught.value)
    assert "Missing required configuration variable 'needs:team'" in text
    assert (f"no Pulumi.prod.yaml in {needs_team.resolve()}: is --stack prod the stack you "
            "mean? Else give the value with --config needs:team=VALUE") in text

    (needs_team / "Pulumi.prod.yaml").write_text("config:\n  needs:other: x\n")
    with pytest.raises(UserError) as caught:
        synthesize(needs_team, "prod")
    assert "needs:team" in str(caught.value) and "Pulumi.prod.yaml" not in str(caught.value)


def test_the_collector_is_quiet_during_synthesis_and_restored_after(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: gc\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import gc\nimport pulumi\n\npulumi.export('collecting', gc.isenabled())\n")
    stack = next(r for r in synthesize(tmp_path) if r.type == "pulumi:pulumi:Stack")
    assert stack.outputs["collecting"] is False
    assert gc.isenabled() and gc.get_freeze_count() == 0


# --- what published programs contain ---------------------------------------------------------

REALWORLD = PROGRAMS / "realworld"


def test_archives_assets_and_plain_data_sources_are_read(capsys):
    g = synthesize(REALWORLD)
    assert one(g, "from-folder").inputs["code"] == {"path": "./app"}
    assert one(g, "from-assets").inputs["code"]["assets"]["lib"] == {"path": "./app"}
    assert one(g, "index").inputs["source"] == {"path": "./app/index.py"}
    # The offline account answers for itself, deterministically...
    assert one(g, "site").inputs["bucket"] == "site-123456789012-eu-west-1"
    web = one(g, "web").inputs
    assert web["availabilityZone"] == "eu-west-1a" and web["ami"].startswith("ami-")
    assert web["ami"] == one(synthesize(REALWORLD), "web").inputs["ami"]
    assert web["tags"]["Registry"] == "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    # ...and what reads the account's existing resources is unknown, not a crash nor a guess.
    assert one(g, "legacy-export").inputs["bucket"] == f"export-legacy-orders-{UNKNOWN}"


def _copy_program(src: Path, dest: Path, *, stack_file: bool = False) -> Path:
    import shutil

    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(
        "Pulumi.yaml", *(() if stack_file else ("Pulumi.*.yaml",))))
    return dest


def test_a_folder_with_main_and_no_pulumi_yaml_is_a_program(tmp_path, capsys):
    program = _copy_program(REALWORLD, tmp_path / "snippet")
    g = synthesize(program, config={"aws:region": "eu-west-1"})
    assert one(g, "site").inputs["bucket"] == "site-123456789012-eu-west-1"
    err = capsys.readouterr().err
    assert err.count("no Pulumi.yaml") == 1 and "running its __main__.py" in err
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no Pulumi.yaml here or in any parent directory, and no "
                                        "__main__.py"):
        synthesize(tmp_path / "empty")


def test_a_missing_provider_sdk_is_exit_2_naming_the_pip_package(tmp_path, capsys):
    (tmp_path / "__main__.py").write_text("import pulumi_random\n\npulumi_random.RandomId('x')\n")
    assert main(["synth", "--program", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "imports pulumi_random, which is not installed here: pip install pulumi-random" in err
    assert "Traceback" not in err


def test_no_region_anywhere_is_unknown_for_every_resource_never_a_default(tmp_path, capsys):
    program = _copy_program(REALWORLD, tmp_path / "noregion")
    g = synthesize(program)
    site, web = one(g, "site"), one(g, "web")
    assert site.region is None and site.outputs["region"] == UNKNOWN
    assert web.region is None and web.inputs["availabilityZone"] == UNKNOWN
    assert UNKNOWN in site.inputs["bucket"]  # built from get_region().name


PLAINSECRET = Path(__file__).parent / "programs" / "plainsecret"


def test_a_secure_key_given_in_clear_stays_secret(capsys, tmp_path):
    out = tmp_path / "graph.json"
    assert main(["synth", "--program", str(PLAINSECRET), "--config",
                 "dbPassword=hunter2-do-not-print", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "--config ledger:dbPassword overrides a secure value of Pulumi.dev.yaml in plain " \
        "text" in err
    text = out.read_text()
    assert "hunter2" not in text
    [bucket] = [r for r in json.loads(text)["resources"] if r["name"] == "ledger"]
    assert bucket["inputs"]["tags"] == {"password": SECRET, "url": SECRET, "user": "app"}
    plan = tmp_path / "plan.json"
    assert main(["export", "tfplan", "--graph", str(out), "-o", str(plan)]) == 0
    assert "hunter2" not in plan.read_text()


def test_a_secure_key_not_overridden_reads_secret_without_a_warning(capsys):
    graph = synthesize(PLAINSECRET)
    [bucket] = graph.named("ledger")
    assert bucket.inputs["tags"] == {"password": SECRET, "user": "app",
                                     "url": f"postgres://app:{SECRET}@db.internal/ledger"}
    assert "overrides a secure value" not in capsys.readouterr().err
