"""Erasure against a real AWS API over HTTP (moto server): exactly the subject, nothing else."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.aws import Clients
from guardian.cli import main
from guardian.erasure import certificate
from guardian.erasure.journal import Journal, salted_hash
from guardian.erasure.plan import plan_erasure, validate_subject_id
from guardian.erasure.run import dry_run, erase, erase_and_certify, is_outage
from guardian.errors import UserError
from tests.chance import mentions
from tests.ops import faults, seed
from tests.ops.conftest import EXAMPLE_CATALOG, REGION

SUBJECTS = ["abc", "abcd", "ab", "abc.d", "xabc", "ABC"]  # prefixes and extensions of "abc"


def without(counts: dict[str, dict[str, int]], subject: str) -> dict[str, dict[str, int]]:
    return {store: {s: n for s, n in by.items() if s != subject} for store, by in counts.items()}


def test_erasure_removes_exactly_the_subject_everywhere(clients, example_catalog, tmp_path):
    before = seed.example_stores(clients, example_catalog, REGION, SUBJECTS, 3)
    # a second version and a delete marker for the subject: both must go for good
    s3 = clients("s3", REGION)
    s3.put_object(Bucket="acme-customer-profiles", Key="customers/abc/doc-0.json", Body=b"v2")
    s3.delete_object(Bucket="acme-customer-profiles", Key="customers/abc/doc-1.json")
    before["acme-customer-profiles"]["abc"] += 2

    plan = plan_erasure(example_catalog, "abc")
    journal = Journal.open(tmp_path / "j.jsonl", "abc", (), "catalog.yaml")
    cert, json_path, md_path = erase_and_certify(plan, clients, REGION, journal, tmp_path)

    after = seed.census(clients, example_catalog, REGION, before)
    expected = without(before, "abc")
    expected["acme-employee-records"] = before["acme-employee-records"]  # legal hold
    assert after == expected
    # data remains under the legal hold: the certificate is partial, never complete
    assert cert["status"] == "partial" and cert["complete"] is False
    (held,) = cert["not_erased"]
    assert held["store"] == "acme-employee-records" and held["status"] == "skipped"
    by_store = {r["store"]: r for r in cert["stores"]}
    assert by_store["acme-customer-profiles"]["deleted"] == 5
    assert by_store["acme-orders"]["deleted"] == 3 and "index by-customer" in \
        by_store["acme-orders"]["method"]
    assert by_store["acme-customer-index"]["method"].startswith("Query on the table's key")
    assert by_store["acme-employee-records"]["status"] == "skipped"
    assert "legal hold" in by_store["acme-employee-records"]["reason"]
    assert all(r["remaining"] == 0 for r in cert["stores"] if r["status"] == "erased")
    assert cert["deleted"] == 5 + 3 * 6
    # the subject appears only hashed, in the certificate and in the journal
    for path in (json_path, md_path, tmp_path / "j.jsonl"):
        text = path.read_text()
        assert "abc/" not in text and '"abc"' not in text and "abc#" not in text
    assert json.loads(json_path.read_text())["subject"]["sha256"] == journal.start["subject"]
    assert "legal hold" in md_path.read_text() and "| erased | 5 | 0 |" in md_path.read_text()


def test_dry_run_counts_and_samples_and_deletes_nothing(clients, example_catalog):
    before = seed.example_stores(clients, example_catalog, REGION, ["abc", "abcd"], 4,
                                 datasets=["customer_profiles", "orders_payments"])
    previews = {p.target.store: p for p in
                dry_run(plan_erasure(example_catalog, "abc"), clients, REGION)}
    assert previews["acme-customer-profiles"].count == 4
    assert previews["acme-customer-profiles"].samples[0].startswith("customers/abc/doc-")
    assert previews["acme-orders"].count == 4
    assert previews["acme-orders"].samples[0].startswith("record_id=abc#")
    # stores not created in this account: reported, not fatal
    assert "NoSuchBucket" in (previews["acme-location-pings"].error or "")
    assert seed.census(clients, example_catalog, REGION, before) == before


@pytest.mark.parametrize("versioned, method", [
    (True, "ListObjectVersions (every version and delete marker) under "
           "s3://acme-customer-profiles/customers/{subject_id}/, DeleteObjects by key and version"),
    (False, "ListObjectsV2 under s3://acme-customer-profiles/customers/{subject_id}/, "
            "DeleteObjects by key"),
])
def test_s3_method_says_versions_only_for_a_versioned_bucket(clients, example_catalog,
                                                             versioned, method):
    seed.example_stores(clients, example_catalog, REGION, ["abc"], 1,
                        datasets=["customer_profiles"], versioned=versioned)
    previews = {p.target.store: p for p in dry_run(
        plan_erasure(example_catalog, "abc", ["customer_profiles"]), clients, REGION)}
    assert previews["acme-customer-profiles"].count == 1
    assert previews["acme-customer-profiles"].method == method


def test_scan_only_without_a_queryable_key_and_it_warns(clients, example_catalog, tmp_path):
    ddb = clients("dynamodb", REGION)
    # acme-customer-index keyed on its own id, no index: the catalog declares no usable key
    seed.dynamo_table(ddb, "acme-customer-index", "record_id")
    seed.dynamo_items(ddb, "acme-customer-index", ({"record_id": f"{s}-{i}", "customer_id": s}
                                                   for s in ("abc", "abcd") for i in range(30)))
    seed.s3_bucket(clients("s3", REGION), "acme-customer-profiles", REGION)
    plan = plan_erasure(example_catalog, "abc", ["customer_profiles"])
    journal = Journal.open(tmp_path / "j.jsonl", "abc", ["customer_profiles"], "c")
    cert = erase(plan, clients, REGION, journal)
    row = next(r for r in cert["stores"] if r["store"] == "acme-customer-index")
    assert row["status"] == "erased" and row["deleted"] == 30
    assert row["method"].startswith("Scan") and "scanned" in row["warning"]
    left = ddb.scan(TableName="acme-customer-index")["Items"]
    assert {i["customer_id"]["S"] for i in left} == {"abcd"} and len(left) == 30


def test_unprocessed_items_are_retried_until_done(clients, example_catalog, tmp_path):
    before = seed.example_stores(clients, example_catalog, REGION, ["abc", "abd"], 60,
                                 datasets=["orders_payments"])
    flaky = faults.FaultyClients(clients, "batch_write_item", faults.half_unprocessed(times=5))
    plan = plan_erasure(example_catalog, "abc", ["orders_payments"])
    cert = erase(plan, flaky, REGION, Journal.open(tmp_path / "j", "abc", ["orders_payments"], "c"))
    assert cert["stores"][0]["deleted"] == 60 and cert["complete"]
    assert flaky.calls > 3  # ceil(60/25) = 3 calls had there been no leftovers
    assert seed.census(clients, example_catalog, REGION, before) == without(before, "abc")


def test_s3_errors_per_key_transient_retried_permanent_reported(clients, example_catalog,
                                                                tmp_path):
    seed.example_stores(clients, example_catalog, REGION, ["abc", "abd"], 5,
                                 datasets=["store_location_pings"])
    # every key of the first call fails transiently: retried within the batch
    flaky = faults.FaultyClients(clients, "delete_objects",
                                 faults.s3_key_errors("InternalError", 1, lambda k: True))
    plan = plan_erasure(example_catalog, "abc", ["store_location_pings"])
    cert = erase(plan, flaky, REGION, Journal.open(tmp_path / "a", "abc", plan.datasets, "c"))
    assert cert["complete"] and cert["stores"][0]["deleted"] == 5 and flaky.calls == 2

    # one key is denied for good: the store is incomplete, says why and how many remain
    denied = faults.FaultyClients(clients, "delete_objects", faults.s3_key_errors(
        "AccessDenied", 99, lambda k: k.endswith("doc-2.json")))
    cert = erase(plan_erasure(example_catalog, "abd", ["store_location_pings"]), denied, REGION,
                 Journal.open(tmp_path / "b", "abd", plan.datasets, "c"))
    row = cert["stores"][0]
    assert not cert["complete"] and row["status"] == "incomplete"
    assert row["deleted"] == 4 and row["remaining"] == 1
    assert row["errors"] == ["AccessDenied: injected"]


@pytest.mark.parametrize("response_lost", [False, True], ids=["before-call", "response-lost"])
def test_interrupted_run_resumes_without_redoing_or_double_counting(
        clients, example_catalog, tmp_path, response_lost):
    """The connection drops after 2 BatchWriteItem calls (and, in `response-lost`, the server
    had already deleted the third batch when the answer was lost). The run stops with the
    journal consistent; the same command with the journal finishes and counts each item once."""
    before = seed.example_stores(clients, example_catalog, REGION, ["abc", "abcd"], 110,
                                 datasets=["orders_payments"])
    plan = plan_erasure(example_catalog, "abc", ["orders_payments"])
    path = tmp_path / "j.jsonl"
    dying = faults.FaultyClients(clients, "batch_write_item",
                                 faults.connection_lost(2, response_lost=response_lost))
    with Journal.open(path, "abc", plan.datasets, "c") as first, \
            pytest.raises(Exception) as info:
        erase(plan, dying, REGION, first)
    assert is_outage(info.value)
    gone = 75 if response_lost else 50
    assert seed.census(clients, example_catalog, REGION, before)["acme-orders"]["abc"] == 110 - gone

    resumed = Journal.open(path, "abc", plan.datasets, "c")
    assert resumed.store("dynamodb:acme-orders").deleted == 50
    assert len(resumed.store("dynamodb:acme-orders").pending) == 1
    cert, _, _ = erase_and_certify(plan, clients, REGION, resumed, tmp_path)
    resumed.close()
    assert cert["complete"] and cert["stores"][0]["deleted"] == 110
    assert seed.census(clients, example_catalog, REGION, before) == without(before, "abc")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert sum(r["count"] for r in records if r["event"] == "deleted") == 110
    assert [r.get("reconciled") for r in records if r["event"] == "deleted"].count(True) == 1

    # a rerun of the finished erasure is a no-op: no call reaches the server
    counting = faults.FaultyClients(clients, "batch_write_item", faults.connection_lost(
        0, response_lost=False))
    again = Journal.open(path, "abc", plan.datasets, "c")
    assert again.finished is not None
    assert erase(plan, counting, REGION, again)["deleted"] == 110 and counting.calls == 0


def test_s3_interruption_in_a_versioned_bucket(clients, example_catalog, tmp_path):
    """1,050 versions: two DeleteObjects calls of at most 1,000; the second's answer is lost
    after the server deleted its keys. The resumed run settles that batch from the journal."""
    s3 = clients("s3", REGION)
    seed.s3_bucket(s3, "acme-marketing-engagement", REGION, versioned=True)
    seed.s3_objects(s3, "acme-marketing-engagement", "subscribers/{subject_id}/", ["abc"], 350,
                    versions=3)
    seed.s3_objects(s3, "acme-marketing-engagement", "subscribers/{subject_id}/", ["abcd"], 3)
    plan = plan_erasure(example_catalog, "abc", ["marketing_engagement"])
    path = tmp_path / "j.jsonl"
    dying = faults.FaultyClients(clients, "delete_objects",
                                 faults.connection_lost(1, response_lost=True))
    with Journal.open(path, "abc", plan.datasets, "c") as first, \
            pytest.raises(Exception) as info:
        erase(plan, dying, REGION, first)
    assert is_outage(info.value) and dying.calls == 2
    journal = Journal.open(path, "abc", plan.datasets, "c")
    assert journal.store("s3:acme-marketing-engagement").deleted == 1000
    cert = erase(plan, clients, REGION, journal)
    assert cert["complete"] and cert["stores"][0]["deleted"] == 1050
    left = s3.list_object_versions(Bucket="acme-marketing-engagement")
    assert {v["Key"].split("/")[1] for v in left["Versions"]} == {"abcd"}
    assert len(left["Versions"]) == 3 and "DeleteMarkers" not in left


def test_certificate_names_copies_that_outlive_the_erasure(clients, example_catalog, tmp_path):
    seed.example_stores(clients, example_catalog, REGION, ["abc"], 2,
                        datasets=["customer_profiles"])
    ddb = clients("dynamodb", REGION)
    ddb.update_continuous_backups(TableName="acme-customer-index",
                                  PointInTimeRecoverySpecification={
                                      "PointInTimeRecoveryEnabled": True})
    ddb.update_table(TableName="acme-customer-index", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})
    ddb.create_backup(TableName="acme-customer-index", BackupName="before-erasure")
    asked: list[dict] = []  # what ListBackups was asked (moto ignores BackupType)
    ddb.meta.events.register("provide-client-params.dynamodb.ListBackups",
                             lambda params, **_: asked.append(dict(params)))
    s3 = clients("s3", REGION)
    seed.s3_bucket(s3, "acme-logs", REGION)
    s3.put_bucket_policy(Bucket="acme-logs", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-logs/*"}]}))
    s3.put_bucket_logging(Bucket="acme-customer-profiles", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "acme-logs", "TargetPrefix": "s3/"}})
    plan = plan_erasure(example_catalog, "abc", ["customer_profiles"])
    cert, _, md = erase_and_certify(plan, clients, REGION,
                                    Journal.open(tmp_path / "j", "abc", plan.datasets, "c"),
                                    tmp_path)
    copies = {(c["store"], c["detail"].split(" (")[0].split(";")[0]): c
              for c in cert["outliving_copies"]}
    kinds = {(c["store"], c["kind"]) for c in cert["outliving_copies"]}
    assert kinds == {("acme-customer-index", "backups"), ("acme-customer-index", "streams"),
                     ("acme-customer-profiles", "logs"), ("acme-customer-profiles", "backups")}
    pitr = copies["acme-customer-index", "point-in-time recovery can restore the erased items "
                  "for 35 days"]
    assert pitr["until"]
    # every type of DynamoDB backup is asked for, not ListBackups' default USER only
    assert asked and all(p.get("BackupType") == "ALL" for p in asked)
    assert any(c["detail"].startswith("1 DynamoDB on-demand backup(s)") and
               "erase this subject from the restored copy" in c["detail"]
               for c in cert["outliving_copies"])
    # moto 5.2 does not serve AWS Backup's ListRecoveryPointsByResource (404): unknown, for
    # the bucket and the table alike, never "none"
    for store in ("acme-customer-profiles", "acme-customer-index"):
        assert copies[store, "AWS Backup recovery points unknown"]["kind"] == "backups"
    text = md.read_text()
    assert "s3://acme-logs/s3/" in text
    assert "must be erased from it again before it is used" in text
    assert cert["after_restore"].startswith("Backups are not restored to erase one person")


def test_aws_backup_recovery_points_are_read_page_by_page(aws_env):
    """AWS Backup's REST API, answered by a small HTTP server here (moto has no recovery
    points): two pages joined by NextToken, a deleting point left out."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, unquote, urlparse

    from guardian.aws import Clients
    from guardian.erasure.backups import recovery_points

    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders"
    pages = {None: {"RecoveryPoints": [
        {"RecoveryPointArn": "rp-1", "CreationDate": 1767225600, "Status": "COMPLETED",
         "BackupVaultName": "daily"}], "NextToken": "two"},
        "two": {"RecoveryPoints": [
            {"RecoveryPointArn": "rp-2", "CreationDate": 1767312000, "Status": "COMPLETED",
             "BackupVaultName": "monthly"},
            {"RecoveryPointArn": "rp-3", "CreationDate": 1767398400, "Status": "DELETING",
             "BackupVaultName": "monthly"}]}}
    seen: list[str] = []

    class AwsBackup(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlparse(self.path)
            seen.append(unquote(url.path))
            token = parse_qs(url.query).get("nextToken", [None])[0]
            body = json.dumps(pages[token]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), AwsBackup)  # the OS picks a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        backup = Clients(endpoint_url=f"http://127.0.0.1:{server.server_port}",
                         max_attempts=1)("backup", REGION)
        (copy,) = recovery_points(backup, arn)
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [f"/resources/{arn}/recovery-points/"] * 2
    assert copy.kind == "backups"
    assert copy.detail.startswith("2 AWS Backup recovery point(s) in vault(s) daily, monthly, "
                                  "the oldest from 2026-01-01T00:00:00Z")
    assert "erase this subject from the restored copy" in copy.detail


def test_certificate_says_the_subject_hash_is_pseudonymous(example_catalog, tmp_path):
    # employee_records is under a legal hold: a plan that calls no AWS at all
    plan = plan_erasure(example_catalog, "c-1042", ["employee_records"])
    journal = Journal.open(tmp_path / "j.jsonl", plan.subject, plan.datasets, "catalog.yaml")
    cert = certificate.build(journal, plan)
    subject = cert["subject"]
    # what the wording admits is so: the id and the printed salt give the printed hash
    assert salted_hash(subject["salt"], "c-1042") == subject["sha256"]
    assert subject["note"].startswith("salted; pseudonymous, not anonymous: whoever holds the "
                                      "id can recompute it")
    md = certificate.markdown(cert)
    assert (f"- Subject id, SHA-256 ({subject['note']}): `{subject['sha256']}` "
            f"(salt `{subject['salt']}`;") in md
    assert not mentions(md, "c-1042") and not mentions(cert, "c-1042")  # not in the run's UUID


# --- property: many subjects, one erased, nobody else touched ---------------------------

safe_ids = st.text(alphabet="ab1.@-_", min_size=1, max_size=6).filter(
    lambda s: _valid(s))


def _valid(s: str) -> bool:
    try:
        validate_subject_id(s)
        return True
    except UserError:
        return False


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(others=st.lists(safe_ids, min_size=1, max_size=6, unique=True), target=safe_ids,
       suffix=st.sampled_from(["a", "1", ".a", "-", "@b"]))
def test_no_other_subjects_data_is_ever_deleted(moto_server, aws_env, example_catalog, tmp_path,
                                                others, target, suffix):
    moto_server.reset()
    clients = Clients(endpoint_url=moto_server.url, max_attempts=3)
    subjects = sorted({target, target + suffix, *others} - {""})
    subjects = [s for s in subjects if _valid(s)]
    datasets = ["customer_profiles", "orders_payments"]
    before = seed.example_stores(clients, example_catalog, REGION, subjects, 2, datasets=datasets)
    plan = plan_erasure(example_catalog, target, datasets)
    journal = Journal.open(tmp_path / f"{len(list(tmp_path.iterdir()))}.jsonl", target,
                           datasets, "c")
    cert = erase(plan, clients, REGION, journal)
    assert cert["complete"] and cert["deleted"] == 2 * 3
    assert seed.census(clients, example_catalog, REGION, before) == without(before, target)


# --- the command ---------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def cli(moto, *args: str) -> int:
    return main(["erase", "--catalog", str(EXAMPLE_CATALOG), "--endpoint-url", moto.url,
                 "--region", REGION, *args])


def test_cli_refuses_without_terminal_or_yes(moto, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli(moto, "--subject", "abc") == 2
    assert "refusing to erase without confirmation" in capsys.readouterr().err


@pytest.mark.parametrize("subject", ["*", "a/b", "", "abc "])
def test_cli_rejects_unsafe_subject_with_exit_2(moto, subject, capsys):
    assert cli(moto, "--subject", subject, "--yes") == 2
    assert "subject id" in capsys.readouterr().err


def test_cli_dry_run_then_confirmed_run_then_noop(moto, example_catalog, monkeypatch, tmp_path,
                                                  capsys):
    clients = Clients(endpoint_url=moto.url)
    before = seed.example_stores(clients, example_catalog, REGION, ["c-1", "c-10"], 2)
    assert cli(moto, "--subject", "c-1", "--dry-run") == 0
    out = capsys.readouterr().out
    would = ("would customer_profiles/acme-customer-profiles (s3 in account 123456789012 "
             "(eu-west-1)): 2 to delete")  # moto's account: the caller's, named
    assert would in out
    assert "customers/c-1/doc-0.json" in out and "skip  employee_records" in out
    assert out.endswith("dry run: nothing was deleted\n")
    assert seed.census(clients, example_catalog, REGION, before) == before

    # declined at the prompt: the user's choice, not a failure; the preview above the prompt
    # is no dry run
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    journal = tmp_path / "j.jsonl"
    certs = tmp_path / "certs"
    assert cli(moto, "--subject", "c-1", "--journal", str(journal),
               "--certificate-dir", str(certs)) == 0
    assert not journal.exists()  # the journal of a run that never started is not left behind
    captured = capsys.readouterr()
    assert would in captured.out
    assert "dry run" not in captured.out and "Type 'erase'" in captured.out
    assert captured.err == "nothing was deleted\n"
    assert seed.census(clients, example_catalog, REGION, before) == before

    monkeypatch.setattr("sys.stdin", Terminal("erase\n"))
    assert cli(moto, "--subject", "c-1", "--journal", str(journal),
               "--certificate-dir", str(certs)) == 1  # partial: the legal hold keeps data
    out = capsys.readouterr().out
    assert ("erased     customer_profiles/acme-customer-profiles in account 123456789012 "
            "(eu-west-1): 2 deleted, 0 remaining") in out
    (cert_json,) = certs.glob("*.json")
    cert = json.loads(cert_json.read_text())
    assert cert["deleted"] == 2 * 7
    # one account, and the certificate still says which: the caller's (sts:GetCallerIdentity)
    assert {(s["account"], s["region"]) for s in cert["stores"]} == {("123456789012", REGION)}
    assert json.loads(cert_json.read_text())["status"] == "partial"
    expected = without(before, "c-1")
    expected["acme-employee-records"] = before["acme-employee-records"]
    assert seed.census(clients, example_catalog, REGION, before) == expected

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli(moto, "--subject", "c-1", "--journal", str(journal), "--yes",
               "--certificate-dir", str(certs)) == 0
    assert "nothing to do" in capsys.readouterr().err
    assert len(list(certs.glob("*.json"))) == 1


def test_cli_unknown_dataset_lists_the_known_ones(moto, capsys):
    assert cli(moto, "--subject", "c-1", "--dataset", "nosuch", "--dry-run") == 2
    err = capsys.readouterr().err
    assert "--dataset 'nosuch' is not in the catalog; known: customer_profiles, " in err
    assert "did you mean" not in err
    assert cli(moto, "--subject", "c-1", "--dataset", "order_payments", "--dry-run") == 2
    assert "did you mean orders_payments? known: " in capsys.readouterr().err


def test_cli_resume_refuses_another_subjects_journal(moto, example_catalog, tmp_path, capsys):
    journal = tmp_path / "j.jsonl"
    Journal.open(journal, "abc", (), str(EXAMPLE_CATALOG)).close()
    assert cli(moto, "--subject", "abd", "--journal", str(journal), "--yes",
               "--certificate-dir", str(tmp_path)) == 2
    assert "another subject" in capsys.readouterr().err


def test_profile_option_selects_credentials(moto, aws_env: Path, monkeypatch):
    (aws_env / "aws-credentials").write_text(
        "[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    (aws_env / "aws-config").write_text(f"[profile audit]\nregion = {REGION}\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    clients = Clients(profile="audit", endpoint_url=moto.url)
    assert clients.default_region == REGION
    assert clients("s3", REGION).list_buckets()["Buckets"] == []
    with pytest.raises(UserError, match="nosuch"):
        Clients(profile="nosuch")


# --- a real outage: the service fails every request mid-run and comes back -----------------------

def _serving(url: str) -> bool:
    """Whether the service answers (200), not 503 as in its outage."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url + "/moto-api/data.json", timeout=30) as resp:
            resp.read()
            return True
    except urllib.error.HTTPError as exc:
        assert exc.code == 503, exc
        return False


def _wait(predicate, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_server_outage_mid_run_is_survived_by_resuming(aws_env, example_catalog, tmp_path):
    """The service goes down after the second BatchWriteItem (503 on every request; botocore
    retries, then gives up), comes back with its state, and the journal resumes the run."""
    import os
    import signal

    from tests.ops.conftest import start_server, stop_server

    server = start_server(dict(os.environ))
    url, proc = server.url, server.process
    try:
        clients = Clients(endpoint_url=url, max_attempts=2)
        before = seed.example_stores(clients, example_catalog, REGION, ["abc", "abcd"], 120,
                                     datasets=["orders_payments"])

        def outage_after_two(real, kwargs, n):  # type: ignore[no-untyped-def]
            if n == 3:
                proc.send_signal(signal.SIGUSR1)
                _wait(lambda: not _serving(url))
            return real(**kwargs)

        plan = plan_erasure(example_catalog, "abc", ["orders_payments"])
        path = tmp_path / "j.jsonl"
        flaky = faults.FaultyClients(clients, "batch_write_item", outage_after_two)
        with Journal.open(path, "abc", plan.datasets, "c") as first, \
                pytest.raises(Exception) as info:
            erase(plan, flaky, REGION, first)
        assert is_outage(info.value) and "(503)" in str(info.value)

        proc.send_signal(signal.SIGUSR2)
        _wait(lambda: _serving(url))
        journal = Journal.open(path, "abc", plan.datasets, "c")
        assert journal.store("dynamodb:acme-orders").deleted == 50
        cert = erase(plan, Clients(endpoint_url=url), REGION, journal)
        assert cert["complete"] and cert["stores"][0]["deleted"] == 120
        after = seed.census(Clients(endpoint_url=url), example_catalog, REGION, before)
        assert after == without(before, "abc")
    finally:
        stop_server(server)


def test_cli_finished_journal_of_another_subject_is_refused(moto, example_catalog, tmp_path,
                                                            capsys):
    journal = tmp_path / "j.jsonl"
    with Journal.open(journal, "abc", (), str(EXAMPLE_CATALOG)) as j:
        j.finish()
    assert cli(moto, "--subject", "abd", "--journal", str(journal), "--yes",
               "--certificate-dir", str(tmp_path)) == 2
    assert "another subject" in capsys.readouterr().err


@pytest.mark.parametrize("run", [("--dry-run",), ("--yes",)])
def test_cli_without_credentials_is_exit_2_not_an_outage(moto, monkeypatch, tmp_path, capsys,
                                                         run):
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask an instance for keys
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    assert cli(moto, "--subject", "c-1", "--certificate-dir", str(tmp_path), *run) == 2
    err = capsys.readouterr().err
    assert "no AWS credentials" in err and "the journal kept its place" not in err


# --- what the certificate says in law -----------------------------------------------------------


def test_legal_hold_makes_the_certificate_partial_with_its_basis_and_right_to_complain(
        example_catalog, tmp_path):
    # employee_records is under a legal hold: a plan that calls no AWS at all
    plan = plan_erasure(example_catalog, "c-1042", ["employee_records"])
    request = certificate.Request(date(2026, 1, 31), "ticket HR-77: passport seen by HR")
    journal = Journal.open(tmp_path / "j.jsonl", plan.subject, plan.datasets, "catalog.yaml",
                           request=request.to_journal())
    cert = certificate.build(journal, plan)
    assert cert["status"] == "partial" and cert["complete"] is False
    (held,) = cert["not_erased"]
    assert held["store"] == "acme-employee-records" and "legal hold" in held["reason"]
    refusal = held["refusal"]
    assert refusal["retention_basis"] == "Employment and tax law"
    assert refusal["exemption"][0].startswith("GDPR Art. 17(3): name the exemption")
    assert refusal["tell_the_person"] == [
        "without delay and within one month of receipt, tell the person the reasons and that "
        "they may complain to a supervisory authority and seek a judicial remedy (GDPR Art. "
        "12(4))",
        "without delay and within one month of receipt, tell the person the reasons and that "
        "they may complain to the ICO and seek a judicial remedy (UK GDPR Art. 12(4))"]
    assert cert["request"]["identity_check"] == "ticket HR-77: passport seen by HR"
    assert cert["recipients_to_inform"] == []  # nothing was erased: nobody to tell
    md = certificate.markdown(cert)
    assert md.startswith("# Erasure certificate (PARTIAL: data remains in 1 store(s))")
    assert "complain to the ICO" in md


def test_due_dates_per_law_from_the_request_date(example_catalog):
    # GDPR Art. 12(3): one month, extendable by two; 31 January + 1 month = 28 February
    by = {d["regime"]: d for d in certificate.due_dates(
        [example_catalog.dataset("customer_profiles")], date(2026, 1, 31))}
    assert (by["gdpr"]["due"], by["gdpr"]["extended"]) == ("2026-02-28", "2026-04-30")
    assert by["uk_gdpr"]["reference"] == "UK GDPR Art. 12(3)"
    assert (by["ccpa"]["due"], by["ccpa"]["extended"]) == ("2026-03-17", "2026-05-01")  # 45+45
    assert by["pipeda"]["due"] is None and "no deadline on record" in by["pipeda"]["rule"]
    rx = {d["regime"]: d for d in certificate.due_dates(
        [example_catalog.dataset("pharmacy_prescriptions")], date(2026, 1, 31))}
    assert rx["ccpa"]["due"] is None and rx["ccpa"]["reference"] == "Cal. Civ. Code 1798.146"
    assert rx["hipaa"]["due"] is None and "no right to erasure" in rx["hipaa"]["rule"]
    assert "30 days, extendable once by 30" in rx["hipaa"]["rule"]  # access, where asked
    unknown = certificate.due_dates([example_catalog.dataset("customer_profiles")], None)
    assert unknown[0]["due"] is None and "--received" in unknown[0]["note"]


def test_recipients_to_inform_come_from_the_catalog(example_catalog):
    (postbox,) = certificate.recipients([example_catalog.dataset("customer_profiles")])
    assert postbox["name"] == "Postbox Mail Inc." and postbox["role"] == "processor"
    assert postbox["duties"] == [
        "GDPR Art. 19: communicate the erasure unless impossible or disproportionate; tell the "
        "person who they are if asked",
        "UK GDPR Art. 19: communicate the erasure unless impossible or disproportionate; tell "
        "the person who they are if asked",
        "Cal. Civ. Code 1798.105(c)(1): tell the service provider or contractor to delete"]
    assert certificate.recipients([example_catalog.dataset("pharmacy_prescriptions")]) == []


def test_two_runs_started_in_the_same_second_each_get_a_new_journal(
        moto, example_catalog, tmp_path, monkeypatch, capsys):
    """The default journal is a new file in the certificate directory: two erasures started
    within one second (a script erasing one subject after another) must not share one, or the
    second finds the first's journal and is refused (another subject) or does nothing."""
    from datetime import UTC, datetime

    import guardian.erasure.cli as erasure_cli

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return datetime(2026, 12, 5, 9, 0, 0, tzinfo=UTC)

    monkeypatch.setattr(erasure_cli, "datetime", Frozen)
    clients = Clients(endpoint_url=moto.url)
    before = seed.example_stores(clients, example_catalog, REGION, ["c-1", "c-2", "c-3"], 2,
                                 datasets=["customer_profiles"])
    certs = tmp_path / "certs"
    for subject in ("c-1", "c-2"):
        assert cli(moto, "--subject", subject, "--dataset", "customer_profiles", "--yes",
                   "--certificate-dir", str(certs)) == 0, capsys.readouterr().err
    assert len(list(certs.glob("erasure-20261205T090000Z-*.jsonl"))) == 2
    assert len(list(certs.glob("erasure-*.json"))) == 2
    after = seed.census(clients, example_catalog, REGION, before)
    assert after == without(without(before, "c-1"), "c-2")


def test_cli_certificate_records_the_request_and_the_erasures_own_times(
        moto, example_catalog, tmp_path, capsys):
    clients = Clients(endpoint_url=moto.url)
    seed.example_stores(clients, example_catalog, REGION, ["c-7"], 2,
                        datasets=["customer_profiles"])
    certs = tmp_path / "certs"
    argv = ["--subject", "c-7", "--dataset", "customer_profiles", "--yes", "--certificate-dir",
            str(certs), "--received", "2026-02-10", "--identity-check", "DSR-991"]
    assert cli(moto, *argv, "--journal", str(tmp_path / "j.jsonl")) == 0
    (path,) = certs.glob("*.json")
    cert = json.loads(path.read_text())
    assert cert["status"] == "complete" and cert["not_erased"] == []
    assert cert["request"]["received"] == "2026-02-10"
    assert cert["request"]["identity_check"] == "DSR-991"
    assert {d["regime"]: d["due"] for d in cert["request"]["due"]}["gdpr"] == "2026-03-10"
    assert [r["name"] for r in cert["recipients_to_inform"]] == ["Postbox Mail Inc."]
    times = [r["time"] for r in cert["stores"]]
    assert cert["erasure"]["finished"] == max(times)  # the erasure's end, not the build
    assert cert["erasure"]["started"] <= min(times) <= cert["certified"]
    capsys.readouterr()
    # a resumed run must not change the request it answers
    assert cli(moto, "--subject", "c-7", "--dataset", "customer_profiles", "--yes",
               "--certificate-dir", str(certs), "--received", "2026-02-11",
               "--journal", str(tmp_path / "j.jsonl")) in (0, 2)
    for bad in ("2026-02-30", "tomorrow", "2999-01-01"):
        assert cli(moto, "--subject", "c-7", "--received", bad, "--dry-run") == 2
        assert "--received" in capsys.readouterr().err


def test_a_store_without_subject_key_leaves_the_certificate_partial(example_catalog, tmp_path):
    from dataclasses import replace

    ds = example_catalog.dataset("store_location_pings")
    keyless = replace(example_catalog, datasets=(replace(
        ds, storage=(replace(ds.storage[0], subject_key=None),)),))
    plan = plan_erasure(keyless, "c-5")
    journal = Journal.open(tmp_path / "j.jsonl", plan.subject, plan.datasets, "c")
    cert = certificate.build(journal, plan)
    assert cert["status"] == "partial"
    (left,) = cert["not_erased"]
    assert "erase by hand" in left["reason"] and "refusal" not in left
