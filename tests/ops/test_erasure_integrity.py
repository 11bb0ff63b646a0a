"""Erasure that proves itself: forged or raced journals are refused before anything is deleted,
certified counts are what AWS answered, subject ids compare by their declared type, and options
are checked before the first call."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import botocore.exceptions
import pytest

from guardian.cli import main
from guardian.erasure.journal import KEY_FILE, Journal
from guardian.erasure.plan import plan_erasure
from guardian.erasure.run import Accounts, erase
from tests.ops import faults, seed
from tests.ops.conftest import EXAMPLE_CATALOG, REGION

SUBJECTS = ["abc", "abcd"]
ORDERS = "dynamodb:acme-orders"


def erase_cli(url: str, journal: Path, certs: Path, *extra: str, subject: str = "abc",
              catalog: Path = EXAMPLE_CATALOG) -> int:
    return main(["erase", "--catalog", str(catalog), "--endpoint-url", url, "--region",
                 REGION, "--subject", subject, "--yes", "--journal", str(journal),
                 "--certificate-dir", str(certs), *extra])


@pytest.fixture
def interrupted(clients, example_catalog, tmp_path):  # type: ignore[no-untyped-def]
    """An erasure of `abc` from acme-orders (110 items each for abc and abcd) whose connection
    dropped after two BatchWriteItem calls: a journal with records to forge, and the census."""
    before = seed.example_stores(clients, example_catalog, REGION, SUBJECTS, 110,
                                 datasets=["orders_payments"])
    # placed in the caller's account and region, as guardian erase places it
    plan = Accounts(clients, REGION, None).placed(
        plan_erasure(example_catalog, "abc", ["orders_payments"]))
    path = tmp_path / "j.jsonl"
    dying = faults.FaultyClients(clients, "batch_write_item",
                                 faults.connection_lost(2, response_lost=False))
    with Journal.open(path, "abc", plan.datasets, "c") as journal, \
            pytest.raises(botocore.exceptions.EndpointConnectionError):
        erase(plan, dying, REGION, journal)
    census = seed.census(clients, example_catalog, REGION, before)
    assert census["acme-orders"] == {"abc": 60, "abcd": 110}
    return path, census


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def record(path: Path, event: str, nth: int = 0) -> tuple[int, dict]:  # type: ignore[type-arg]
    hits = [(i, json.loads(x)) for i, x in enumerate(lines(path)) if f'"event": "{event}"' in x]
    return hits[nth]


def rewrite(path: Path, new: list[str]) -> None:
    path.write_text("\n".join(new) + "\n")


def _missing_field(path: Path) -> int:
    i, rec = record(path, "deleted")
    del rec["count"]
    new = lines(path)
    new[i] = json.dumps(rec, sort_keys=True)
    rewrite(path, new)
    return i + 1


def _not_utf8(path: Path) -> int:
    data = path.read_bytes().split(b"\n")
    data[2] = data[2].replace(b'"batch"', b'"b\xffatch"', 1)
    path.write_bytes(b"\n".join(data))
    return 3


def _fake_finished(path: Path) -> int:
    last = json.loads(lines(path)[-1])
    with path.open("a") as fh:
        fh.write(json.dumps({"event": "finished", "time": "2026-01-01T00:00:00Z",
                             "certificate": None, "prev": last["mac"], "mac": "0" * 64}) + "\n")
    return len(lines(path))


def _fake_store_erased(path: Path) -> int:
    last = json.loads(lines(path)[-1])
    with path.open("a") as fh:
        fh.write(json.dumps({"event": "store", "store": ORDERS, "status": "erased",
                             "deleted": 50, "remaining": 0, "time": "2026-01-01T00:00:00Z",
                             "prev": last["mac"], "mac": last["mac"]}) + "\n")
    return len(lines(path))


def _duplicated(path: Path) -> int:
    i, _ = record(path, "deleted")
    new = lines(path)
    new.insert(i + 1, new[i])
    rewrite(path, new)
    return i + 2


def _injected(path: Path) -> int:
    i, rec = record(path, "deleted")
    batch_i, batch = record(path, "batch", 2)  # the open intent: claim it went
    new = lines(path)
    new.append(json.dumps({**rec, "batch": batch["batch"], "count": 25,
                           "prev": json.loads(new[-1])["mac"]}, sort_keys=True))
    rewrite(path, new)
    return len(new)


def _deflated(path: Path) -> int:
    i, rec = record(path, "deleted", 1)
    rec["count"], rec["not_deleted"] = 2, rec.get("not_deleted", [])
    new = lines(path)
    new[i] = json.dumps(rec, sort_keys=True)
    rewrite(path, new)
    return i + 1


def _removed(path: Path) -> int:
    i, _ = record(path, "deleted")
    new = lines(path)
    del new[i]
    rewrite(path, new)
    return i + 1  # the next record no longer chains


def _reordered(path: Path) -> int:
    new = lines(path)
    new[1], new[2] = new[2], new[1]
    rewrite(path, new)
    return 2


def _not_json(path: Path) -> int:
    new = lines(path)
    new.insert(2, "{not json")
    rewrite(path, new)
    return 3


def _other_key(path: Path) -> int:
    (path.parent / KEY_FILE).write_text("ab" * 32 + "\n")
    return 1


FORGERIES = {
    "missing-field": (_missing_field, "malformed `deleted` record: record: 'count' is a "
                                      "required property"),
    "not-utf8": (_not_utf8, "not UTF-8 text"),
    "fake-finished": (_fake_finished, "the record chain is broken"),
    "fake-store-erased": (_fake_store_erased, "the record chain is broken"),
    "duplicated-record": (_duplicated, "the record chain is broken"),
    "injected-outcome": (_injected, "the record chain is broken"),
    "deflated-count": (_deflated, "the record chain is broken"),
    "removed-record": (_removed, "the record chain is broken"),
    "reordered-records": (_reordered, "the record chain is broken"),
    "not-json": (_not_json, "not a JSON record"),
    "another-key": (_other_key, "written under another key"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_journal_is_refused_before_anything_is_deleted(moto, clients, example_catalog,
                                                              interrupted, capsys, forgery):
    path, census = interrupted
    forge, message = FORGERIES[forgery]
    line = forge(path)
    certs = path.parent
    assert erase_cli(moto.url, path, certs, "--dataset", "orders_payments") == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: {message}" in err, err
    assert "nothing was deleted" in err and "Traceback" not in err
    assert seed.census(clients, example_catalog, REGION, census) == census
    assert not list(certs.glob("erasure-*.json"))


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink"])
def test_journal_that_is_not_a_regular_file_is_refused(moto, clients, example_catalog,
                                                       interrupted, capsys, kind):
    path, census = interrupted
    odd = path.parent / "odd.jsonl"
    if kind == "directory":
        odd.mkdir()
    elif kind == "fifo":
        os.mkfifo(odd)
    else:
        odd.symlink_to(path)
    assert erase_cli(moto.url, odd, path.parent, "--dataset", "orders_payments") == 2
    err = capsys.readouterr().err
    assert str(odd) in err and {"directory": "is a directory", "fifo": "not a regular file",
                                "symlink": "symbolic link"}[kind] in err
    assert seed.census(clients, example_catalog, REGION, census) == census


def test_a_line_torn_by_a_crash_is_cut_and_the_run_resumes(moto, clients, example_catalog,
                                                          interrupted):
    path, census = interrupted
    with path.open("a") as fh:
        fh.write('{"event": "batch", "store": "dynamodb:acme-or')  # the crash mid-write
    assert erase_cli(moto.url, path, path.parent, "--dataset", "orders_payments") == 0
    assert seed.census(clients, example_catalog, REGION, census)["acme-orders"] == {"abcd": 110}
    (cert,) = path.parent.glob("erasure-*.json")
    assert json.loads(cert.read_text())["deleted"] == 110
    with Journal.open(path, "abc", ["orders_payments"], "c") as journal:  # verifies again
        assert journal.finished is not None


def test_a_second_run_on_a_journal_in_use_is_refused(moto, clients, example_catalog,
                                                     interrupted, capsys):
    path, census = interrupted
    with Journal.open(path, "abc", ["orders_payments"], "c"):  # the first run, still going
        assert erase_cli(moto.url, path, path.parent, "--dataset", "orders_payments") == 2
    assert "another guardian erase is using this journal" in capsys.readouterr().err
    assert seed.census(clients, example_catalog, REGION, census) == census


def erase_process(url: str, journal: Path, certs: Path, *datasets: str) -> subprocess.Popen:  # type: ignore[type-arg]
    """`guardian erase` of `abc` as a process of its own, which can be killed."""
    argv = [sys.executable, "-c", "import sys; from guardian.cli import main; "
            "sys.exit(main(sys.argv[1:]))", "erase", "--catalog", str(EXAMPLE_CATALOG),
            "--endpoint-url", url, "--region", REGION, "--subject", "abc", "--yes",
            *(x for d in datasets for x in ("--dataset", d)), "--journal", str(journal),
            "--certificate-dir", str(certs)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_concurrent_processes_certify_once(moto, clients, example_catalog, tmp_path):
    """Two `guardian erase` processes on one journal: one erases and certifies; the other is
    refused (or, if it starts after the first ended, finds nothing to do)."""
    before = seed.example_stores(clients, example_catalog, REGION, SUBJECTS, 150,
                                 datasets=["orders_payments"])
    journal = tmp_path / "j.jsonl"
    runs = [erase_process(moto.url, journal, tmp_path, "orders_payments") for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in runs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    if codes == [0, 2]:
        assert any("another guardian erase is using this journal" in err for _, err in results)
    (cert,) = tmp_path.glob("erasure-*.json")
    assert json.loads(cert.read_text())["deleted"] == 150
    after = seed.census(clients, example_catalog, REGION, before)
    assert after["acme-orders"] == {"abcd": 150}


LOOK_ALIKES = ["abc", "abcd", "ab", "abc-1", "ABC"]
KILLS = 6


def test_sigkill_at_any_point_then_the_same_command_resumes_exactly(moto, clients,
                                                                    example_catalog, tmp_path):
    """`guardian erase` killed with SIGKILL again and again, each time a few journal records
    further on (so anywhere: between an intent and its call, mid-record, while certifying),
    then run once more to the end: exactly the subject's data is gone, among look-alike ids,
    and the certificate counts each item once."""
    datasets = ("orders_payments", "customer_profiles")
    before = seed.example_stores(clients, example_catalog, REGION, LOOK_ALIKES, 50,
                                 datasets=datasets)
    total = sum(n["abc"] for n in before.values())
    journal = tmp_path / "j.jsonl"
    rng = random.Random(13)
    kills = 0
    while kills < KILLS:
        written = journal.read_bytes().count(b"\n") if journal.exists() else 0
        target = written + rng.randint(1, 3)  # records, counted as the process writes them
        run = erase_process(moto.url, journal, tmp_path, *datasets)
        while run.poll() is None and (not journal.exists()
                                      or journal.read_bytes().count(b"\n") < target):
            time.sleep(0.005)
        if run.poll() is not None:  # it finished before reaching the target
            break
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        kills += 1
    else:
        run = erase_process(moto.url, journal, tmp_path, *datasets)  # the last, left to end
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert kills >= KILLS - 2, kills  # it was killed on the way, several times
    after = seed.census(clients, example_catalog, REGION, before)
    assert after == {store: {s: n for s, n in by.items() if s != "abc"}
                     for store, by in before.items()}
    (cert,) = tmp_path.glob("erasure-*.json")
    data = json.loads(cert.read_text())
    assert data["complete"] and data["deleted"] == total
    assert {r["store"]: r["deleted"] for r in data["stores"]} == {
        store: by["abc"] for store, by in before.items()}
    with Journal.open(journal, "abc", list(datasets), str(EXAMPLE_CATALOG),
                      key_dir=tmp_path) as verified:
        assert verified.finished is not None


# --- counts are what AWS answered -----------------------------------------------------------

def test_s3_errors_without_a_version_id_are_not_counted_as_deleted(clients, example_catalog,
                                                                   tmp_path):
    s3 = clients("s3", REGION)
    seed.s3_bucket(s3, "acme-marketing-engagement", REGION, versioned=True)
    seed.s3_objects(s3, "acme-marketing-engagement", "subscribers/{subject_id}/", ["abc"], 3)
    seed.s3_objects(s3, "acme-marketing-engagement", "subscribers/{subject_id}/", ["abd"], 2)
    # S3 names the failing key without its version: doc-0 and doc-1 stay
    denied = faults.FaultyClients(clients, "delete_objects", faults.s3_key_errors(
        "AccessDenied", 99, lambda k: not k.endswith("doc-2.json"), with_version=False))
    plan = plan_erasure(example_catalog, "abc", ["marketing_engagement"])
    with Journal.open(tmp_path / "j", "abc", plan.datasets, "c") as journal:
        cert = erase(plan, denied, REGION, journal)
    row = cert["stores"][0]
    left = s3.list_object_versions(Bucket="acme-marketing-engagement", Prefix="subscribers/abc/")
    assert len(left["Versions"]) == 2
    assert (row["deleted"], row["remaining"], row["status"]) == (1, 2, "incomplete")
    assert row["errors"] == ["AccessDenied: injected"] and not cert["complete"]


def test_unprocessed_items_left_after_the_retries_are_not_counted(clients, example_catalog,
                                                                  tmp_path):
    before = seed.example_stores(clients, example_catalog, REGION, SUBJECTS, 30,
                                 datasets=["orders_payments"])
    stubborn = faults.FaultyClients(clients, "batch_write_item",
                                    faults.half_unprocessed(times=10_000))
    plan = plan_erasure(example_catalog, "abc", ["orders_payments"])
    with Journal.open(tmp_path / "j", "abc", plan.datasets, "c") as journal:
        store = journal.store(ORDERS)
        cert = erase(plan, stubborn, REGION, journal)
    after = seed.census(clients, example_catalog, REGION, before)["acme-orders"]
    row = cert["stores"][0]
    assert row["deleted"] == 30 - after["abc"] == store.deleted
    assert row["remaining"] == after["abc"] > 0 and row["status"] == "incomplete"


# --- subject ids by their declared type ------------------------------------------------------

def numeric_catalog(tmp_path: Path) -> Path:
    """The example catalog with acme-customer-index holding numeric customer ids."""
    text = EXAMPLE_CATALOG.read_text().replace(
        "        subject_key: customer_id\n        ttl_attribute: expires_at",
        "        subject_key: customer_id\n        subject_type: number\n"
        "        ttl_attribute: expires_at", 1)
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


def numeric_table(ddb, subjects: list[str], n: int) -> None:  # type: ignore[no-untyped-def]
    ddb.create_table(TableName="acme-customer-index", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "customer_id", "AttributeType": "N"},
                                           {"AttributeName": "sk", "AttributeType": "S"}])
    for s in subjects:
        for i in range(n):
            ddb.put_item(TableName="acme-customer-index",
                         Item={"customer_id": {"N": s}, "sk": {"S": f"r{i}"}})


def numeric_census(ddb) -> dict[str, int]:  # type: ignore[no-untyped-def]
    found: dict[str, int] = {}
    for item in ddb.scan(TableName="acme-customer-index")["Items"]:
        found[item["customer_id"]["N"]] = found.get(item["customer_id"]["N"], 0) + 1
    return found


NUMBERS = ["1042", "10420", "104", "1042.5", "42"]


@pytest.mark.parametrize("subject, canonical", [("01042", "1042"), ("1042.0", "1042"),
                                                ("1.042e3", "1042"), ("1042.50", "1042.5")])
def test_a_number_not_written_canonically_is_refused(moto, clients, tmp_path, capsys, subject,
                                                     canonical):
    ddb = clients("dynamodb", REGION)
    numeric_table(ddb, NUMBERS, 2)
    catalog = numeric_catalog(tmp_path)
    assert erase_cli(moto.url, tmp_path / "j", tmp_path, "--dataset", "customer_profiles",
                     subject=subject, catalog=catalog) == 2
    err = capsys.readouterr().err
    assert f"the subject id {subject!r} is a number written otherwise than {canonical!r}" in err
    assert numeric_census(ddb) == {s: 2 for s in NUMBERS}


def test_a_numeric_id_erases_exactly_that_number(moto, clients, tmp_path, capsys):
    ddb, s3 = clients("dynamodb", REGION), clients("s3", REGION)
    numeric_table(ddb, NUMBERS, 3)
    seed.s3_bucket(s3, "acme-customer-profiles", REGION)
    seed.s3_objects(s3, "acme-customer-profiles", "customers/{subject_id}/",
                    ["1042", "01042", "10420"], 2)
    catalog = numeric_catalog(tmp_path)
    assert erase_cli(moto.url, tmp_path / "j", tmp_path, "--dataset", "customer_profiles",
                     subject="1042", catalog=catalog) == 0
    assert numeric_census(ddb) == {s: 3 for s in NUMBERS if s != "1042"}
    keys = {o["Key"].split("/")[1] for o in s3.list_objects_v2(
        Bucket="acme-customer-profiles")["Contents"]}
    assert keys == {"01042", "10420"}  # the prefix is text: 01042 is another subject there

    # an id that is no number cannot be in a number store: skipped, and said why
    capsys.readouterr()
    assert erase_cli(moto.url, tmp_path / "k", tmp_path, "--dataset", "customer_profiles",
                     subject="c-7", catalog=catalog) == 0
    out = capsys.readouterr().out
    assert ("skipped    customer_profiles/acme-customer-index in account 123456789012 "
            "(eu-west-1): the subject id is not a number") in out


def test_a_declared_string_on_a_number_key_fails_the_store(moto, clients, tmp_path, capsys):
    ddb = clients("dynamodb", REGION)
    numeric_table(ddb, NUMBERS, 1)
    seed.s3_bucket(clients("s3", REGION), "acme-customer-profiles", REGION)
    assert erase_cli(moto.url, tmp_path / "j", tmp_path, "--dataset", "customer_profiles",
                     subject="1042") == 1
    out = capsys.readouterr().out
    assert ("failed     customer_profiles/acme-customer-index in account 123456789012 "
            "(eu-west-1): acme-customer-index.customer_id "
            "is a key of type N (number) but the catalog declares subject_type string") in out
    assert numeric_census(ddb) == {s: 1 for s in NUMBERS}


def test_a_scan_reports_items_holding_the_id_as_another_type(clients, example_catalog,
                                                             tmp_path):
    ddb = clients("dynamodb", REGION)
    seed.dynamo_table(ddb, "acme-customer-index", "record_id")  # customer_id is no key: Scan
    seed.s3_bucket(clients("s3", REGION), "acme-customer-profiles", REGION)
    items = {"s": {"S": "1042"}, "n": {"N": "1042"}, "n-float": {"N": "1042.0"},
             "ss": {"SS": ["7", "1042"]}, "l": {"L": [{"N": "1042"}]},
             "m": {"M": {"id": {"S": "1042"}}}, "other-n": {"N": "10420"},
             "other-s": {"S": "01042"}, "bool": {"BOOL": True}}
    for rid, value in items.items():
        ddb.put_item(TableName="acme-customer-index",
                     Item={"record_id": {"S": rid}, "customer_id": value})
    plan = plan_erasure(example_catalog, "1042", ["customer_profiles"])
    with Journal.open(tmp_path / "j", "1042", plan.datasets, "c") as journal:
        cert = erase(plan, clients, REGION, journal)
    row = next(r for r in cert["stores"] if r["store"] == "acme-customer-index")
    left = {i["record_id"]["S"] for i in ddb.scan(TableName="acme-customer-index")["Items"]}
    assert left == set(items) - {"s"}
    assert (row["deleted"], row["remaining"], row["status"]) == (1, 5, "incomplete")
    assert {e.split(" (")[0] for e in row["errors"]} == {
        "customer_id holds the id as number", "customer_id holds the id as string set",
        "customer_id holds the id as list", "customer_id holds the id as map"}
    assert not cert["complete"]


# --- options are checked before any call ------------------------------------------------------

def test_certificate_dir_that_is_a_file_deletes_nothing(moto, clients, example_catalog,
                                                        interrupted, capsys):
    path, census = interrupted
    blocker = path.parent / "certs"
    blocker.write_text("a file")
    for certs in (blocker, blocker / "below"):
        assert erase_cli(moto.url, path, certs, "--dataset", "orders_payments") == 2
        err = capsys.readouterr().err
        assert f"--certificate-dir {certs}: " in err and "Traceback" not in err
    assert seed.census(clients, example_catalog, REGION, census) == census


@pytest.mark.parametrize("option, value, message", [
    ("--endpoint-url", "not a url", "--endpoint-url 'not a url' is not an http:// or https:// "
                                    "URL with a host"),
    ("--endpoint-url", "http://127.0.0.1:port", "--endpoint-url 'http://127.0.0.1:port' is not "
                                                "a URL"),
    ("--region", "Europe", "--region 'Europe' is not an AWS region name"),
    ("--profile", "nosuch", "--profile 'nosuch': The config profile (nosuch) could not be found"),
])
@pytest.mark.parametrize("command", ["erase", "check"])
def test_bad_aws_options_are_exit_2_naming_the_option(aws_env, tmp_path, capsys, option, value,
                                                      message, command):
    args = {"--endpoint-url": "http://127.0.0.1:9", "--region": REGION, option: value}
    argv = (["erase", "--subject", "abc", "--yes", "--certificate-dir", str(tmp_path)]
            if command == "erase" else ["check", "--live"])
    assert main([*argv, "--catalog", str(EXAMPLE_CATALOG),
                 *(x for kv in args.items() for x in kv)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# --- erasure behind the fault proxy: HTTP faults, then the same command resumes ------------

@pytest.mark.parametrize("kind, service, operation, after, dataset, store", [
    ("throttle", "dynamodb", "BatchWriteItem", 2, "orders_payments", "acme-orders"),
    ("error", "dynamodb", "Query", 1, "orders_payments", "acme-orders"),
    ("drop", "dynamodb", "BatchWriteItem", 3, "orders_payments", "acme-orders"),
    ("error", "s3", "DeleteObjects", 0, "marketing_engagement", "acme-marketing-engagement"),
    ("drop", "s3", "ListObjectVersions", 1, "marketing_engagement",
     "acme-marketing-engagement"),
])
def test_an_outage_stops_the_run_and_the_journal_resumes_it_exactly(
        clients, proxy, example_catalog, tmp_path, kind, service, operation, after, dataset,
        store):
    from guardian.aws import Clients
    from guardian.erasure.run import is_outage

    before = seed.example_stores(clients, example_catalog, REGION, SUBJECTS, 110,
                                 datasets=[dataset])
    if service == "s3":  # 1,100 versions: two DeleteObjects calls
        s3 = clients("s3", REGION)
        seed.s3_objects(s3, store, "subscribers/{subject_id}/", ["abc"], 110, versions=9)
        before = seed.census(clients, example_catalog, REGION, before)
    total = before[store]["abc"]
    plan = plan_erasure(example_catalog, "abc", [dataset])
    faulty = Clients(endpoint_url=proxy.url, max_attempts=1)
    proxy.add(kind, service, operation, after=after)
    path = tmp_path / "j.jsonl"
    with Journal.open(path, "abc", plan.datasets, "c") as journal, \
            pytest.raises(Exception) as info:
        erase(plan, faulty, REGION, journal)
    assert is_outage(info.value), info.value
    assert proxy.injected[kind] >= 1
    proxy.clear()
    with Journal.open(path, "abc", plan.datasets, "c") as journal:
        cert = erase(plan, faulty, REGION, journal)
    after_census = seed.census(clients, example_catalog, REGION, before)
    assert cert["complete"] and after_census[store] == {
        s: n for s, n in before[store].items() if s != "abc"}
    row = next(r for r in cert["stores"] if r["store"] == store)
    assert row["deleted"] == total and row["remaining"] == 0


def test_a_denied_delete_fails_that_store_and_the_run_goes_on(clients, proxy, example_catalog,
                                                              tmp_path):
    from guardian.aws import Clients

    before = seed.example_stores(clients, example_catalog, REGION, SUBJECTS, 3,
                                 datasets=["customer_profiles"])
    proxy.add("deny", "dynamodb", "BatchWriteItem")
    plan = plan_erasure(example_catalog, "abc", ["customer_profiles"])
    with Journal.open(tmp_path / "j", "abc", plan.datasets, "c") as journal:
        cert = erase(plan, Clients(endpoint_url=proxy.url, max_attempts=1), REGION, journal)
    rows = {r["store"]: r for r in cert["stores"]}
    assert rows["acme-customer-index"]["status"] == "failed"
    assert rows["acme-customer-index"]["error"].startswith("AccessDeniedException: injected")
    assert rows["acme-customer-index"]["deleted"] == 0
    assert rows["acme-customer-profiles"]["status"] == "erased" and not cert["complete"]
    after = seed.census(clients, example_catalog, REGION, before)
    assert after["acme-customer-index"] == before["acme-customer-index"]
    assert after["acme-customer-profiles"] == {"abcd": 3}
