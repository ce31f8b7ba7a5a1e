"""User errors exit 1 with one clear sentence, never 2 with a traceback (issue 10, item 16). Each case is
reproduced as a user would meet it, on real files from ../shared/data where it involves data."""

from __future__ import annotations

import csv
import errno
import gzip
import io
import os
import shutil
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from peacewatch.cli.app import main
from peacewatch.store import Store
from peacewatch.store.failures import ingest_error

ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"
PAX_ALL = "pax_peace_agreements/pax_all_agreements_data.csv.gz"


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def assert_user_error(code: int, err: str, *expected: str) -> None:
    assert code == 1, err
    assert err.startswith("error: ") and "Traceback" not in err and "internal error" not in err, err
    for text in expected:
        assert text in err, (text, err)


@pytest.fixture
def argentina_lines(data_file) -> list[str]:
    return gzip.decompress(data_file(ARGENTINA).read_bytes()).decode("utf-8").splitlines(keepends=True)


# -- store paths that are not stores -----------------------------------------------------------------


def _damaged(syria_store, tmp_path: Path, how: str) -> Path:
    target = tmp_path / how
    shutil.copytree(syria_store.path, target)
    if how == "truncated":  # the catalog cut short
        catalog = target / "catalog.sqlite"
        raw = catalog.read_bytes()
        catalog.write_bytes(raw[: len(raw) // 3])
    else:  # the middle of the largest data file overwritten
        data = max((p for p in (target / "data").rglob("*.parquet")), key=lambda p: p.stat().st_size)
        raw = data.read_bytes()
        middle = len(raw) // 2
        data.write_bytes(
            raw[:middle] + b"\xff" * min(65536, middle // 2) + raw[middle + min(65536, middle // 2) :]
        )
    return target


def _foreign(path: Path) -> Path:
    """A DuckDB database that some other program made."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    return path


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("empty", "expected a store folder, found a file"),
        ("text", "expected a store folder, found a file"),
        ("folder", "a folder, but not a peacewatch store (no catalog.sqlite in it; found notes.txt)"),
        ("devnull", "found a device"),
        ("truncated", "the store is damaged"),
        ("corrupt", "the store is damaged"),
        ("foreign", "not a peacewatch store"),
    ],
)
@pytest.mark.parametrize("command", [["datasets"], ["series", "--by", "month"]])
def test_a_store_path_that_is_no_store_is_one_sentence(
    capsys, tmp_path, syria_store, kind, expected, command
):
    path = {
        "empty": lambda: (tmp_path / "e.duckdb").touch() or tmp_path / "e.duckdb",
        "text": lambda: (tmp_path / "t.duckdb").write_text("hello\n") and tmp_path / "t.duckdb",
        "folder": lambda: (
            (tmp_path / "f").mkdir() or ((tmp_path / "f" / "notes.txt").write_text("x") and tmp_path / "f")
        ),
        "devnull": lambda: Path(os.devnull),
        "truncated": lambda: _damaged(syria_store, tmp_path, "truncated"),
        "corrupt": lambda: _damaged(syria_store, tmp_path, "corrupt"),
        "foreign": lambda: _foreign(tmp_path / "other.duckdb"),
    }[kind]()
    code, err = run(capsys, *command, "--store", path)
    if kind in ("truncated", "corrupt") and code == 0:  # the damaged blocks were not ones read here
        code, err = run(capsys, "events", "--store", path, "--limit", "100000", "--format", "json")
    assert_user_error(code, err, expected, "--store")


def test_ingest_into_a_store_path_that_is_no_store_is_refused_before_reading(capsys, tmp_path, data_file):
    (tmp_path / "t.duckdb").write_text("hello\n")
    code, err = run(capsys, "ingest", "--store", tmp_path / "t.duckdb", data_file(ARGENTINA))
    assert_user_error(code, err, "expected a store folder, found a file")
    assert (tmp_path / "t.duckdb").read_text() == "hello\n"


# -- files that cannot be read as data ----------------------------------------------------------------


def test_an_xlsx_that_is_not_a_zip_is_named(capsys, tmp_path, argentina_lines):
    fake = tmp_path / "events.xlsx"
    fake.write_text("".join(argentina_lines[:20]), encoding="utf-8")
    code, err = run(capsys, "ingest", "--store", tmp_path / "s.duckdb", fake)
    assert_user_error(code, err, "expected an Excel workbook")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_input_is_named_as_utf16(capsys, tmp_path, argentina_lines, encoding):
    wide = tmp_path / "events.csv"
    wide.write_bytes("".join(argentina_lines).encode(encoding))
    code, err = run(capsys, "ingest", "--store", tmp_path / "s.duckdb", wide)
    assert_user_error(code, err, "encoded as UTF-16", "expected UTF-8")
    assert "\\x00" not in err


def test_a_10_mb_field_is_reported_on_its_own_line(capsys, tmp_path, argentina_lines):
    rows = list(csv.reader(io.StringIO("".join(argentina_lines))))
    rows[100][rows[0].index("notes")] = "x" * (10 * 1024 * 1024)
    big = tmp_path / "acled_big_field.csv"
    with big.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    store = tmp_path / "s.duckdb"
    code, err = run(capsys, "ingest", "--store", store, big)
    assert_user_error(code, err, f"{big}:101:", "longer than the")
    assert len(err) < 2000 and not store.exists()


def test_a_pax_field_over_the_csv_limit_is_a_clear_error(capsys, tmp_path, data_file):
    text = gzip.decompress(data_file(PAX_ALL).read_bytes()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[1][5] = "y" * 200_000
    pax = tmp_path / "pax.csv"
    with pax.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    code, err = run(capsys, "agreements", "from-pax", "2271", "--pax-file", pax, "--out", tmp_path / "o/")
    assert_user_error(code, err, f"{pax}:", "field larger than field limit")


# -- case files ---------------------------------------------------------------------------------------


@pytest.fixture
def case(tmp_path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(resources.files("peacewatch.cases").joinpath("syria-2016"), folder)
    return folder


@pytest.mark.parametrize("kind, expected", [("folder", "found a folder"), ("devzero", "found a device")])
def test_agreement_yaml_as_a_folder_or_a_link_to_dev_zero(capsys, case, syria_store, kind, expected):
    (case / "agreement.yaml").unlink()
    if kind == "folder":
        (case / "agreement.yaml").mkdir()
    else:
        (case / "agreement.yaml").symlink_to("/dev/zero")
    code, err = run(capsys, "evaluate", case, "--store", syria_store.path)
    assert_user_error(code, err, "agreement.yaml: expected a YAML file", expected)


def test_a_baseline_of_three_million_days_names_the_commitment(capsys, case, syria_store):
    text = (case / "agreement.yaml").read_text(encoding="utf-8")
    assert "preceding: 28" in text
    (case / "agreement.yaml").write_text(
        text.replace("preceding: 28", "preceding: 3000000"), encoding="utf-8"
    )
    code, err = run(capsys, "evaluate", case, "--store", syria_store.path, "--as-of", "2016-12-31")
    assert_user_error(code, err, "agreement.yaml: commitment", "3000000", "days exist before")


# -- flags --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["events", "--limit", "-1"], "--limit"),
        (["quarantine", "--limit", "-1"], "--limit"),
        (["trend", "--month", "9999-12"], "9999"),
        (["trend", "--month", "0001-02"], "--month 0001-02"),
        (["compare", "--window", "2017-01-01:2017-01-31", "--baseline-years", "10000"], "--baseline-years"),
        (["events", "--format", "parquet", "--out", "missing_dir/x.parquet"], "missing_dir"),
        (["events", "--format", "csv", "--out", "missing_dir/x.csv"], "missing_dir/x.csv"),
        (["series", "--by", "month", "--format", "csv", "--out", "missing_dir/x.csv"], "missing_dir"),
    ],
)
def test_flags_out_of_range_and_missing_folders(capsys, syria_store, tmp_path, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, *argv, "--store", syria_store.path)
    assert_user_error(code, err, expected)
    assert list(tmp_path.iterdir()) == []


# -- the disk: full, read-only, immutable -------------------------------------------------------------


@pytest.mark.parametrize(
    "number, expected",
    [
        (errno.ENOSPC, "The disk is full"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permissions"),
        (errno.EPERM, "immutable"),
    ],
)
def test_a_refused_write_during_ingest_is_one_sentence_and_the_store_is_unchanged(
    capsys, tmp_path, data_file, argentina_lines, monkeypatch, number, expected
):
    store = tmp_path / "s.duckdb"
    assert main(["ingest", "--store", str(store), str(data_file(ARGENTINA))]) == 0
    before = (Store(store).snapshots(), Store(store).datasets())
    half = tmp_path / "acled_argentina_half.csv"
    half.write_text("".join(argentina_lines[:100]), encoding="utf-8")

    def refuse(src, dst):
        raise OSError(number, os.strerror(number), str(dst))

    # The archive's copy of the new file is renamed into place: refuse that write.
    monkeypatch.setattr("peacewatch.store.files.os.replace", refuse)
    capsys.readouterr()
    code, err = run(capsys, "ingest", "--store", store, half)
    assert_user_error(code, err, expected, str(store))
    assert (Store(store).snapshots(), Store(store).datasets()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acled_argentina_half.csv", "s.duckdb"]
    assert len(list((store / "archive").iterdir())) == 1  # no half-copied file under an archive name


def test_a_full_disk_inside_duckdb_is_named_as_a_full_disk_not_a_format_problem(tmp_path):
    exc = duckdb.IOException('IO Error: Could not write file "/x/s.duckdb.tmp-1": No space left on device')
    message = str(ingest_error(tmp_path / "f.csv", exc, "1000MB"))
    assert "the disk is full" in message and "format" not in message


def test_a_full_disk_during_brief_is_one_sentence_and_leaves_no_partial_files(
    capsys, tmp_path, syria_store, monkeypatch
):
    from peacewatch.briefs import render

    case = tmp_path / "case"
    case.mkdir()
    (case / "brief.yaml").write_text(
        "title: t\nas_of: 2019-11-30\ndatasets: [ucdp-ged-syria-2016-01-01-2019-11-30]\nsections:\n"
        "  - question: q\n    blocks:\n      - series: {filters: {country: Syria}, by: month, "
        "from: 2016-01-01, to: 2016-12-31, title: t}\n",
        encoding="utf-8",
    )
    real = render._clean_svg

    def full(svg, scope=""):
        real(svg, scope)
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "figures" / "x.svg"))

    monkeypatch.setattr(render, "_clean_svg", full)
    out = tmp_path / "out"
    code, err = run(
        capsys, "brief", case / "brief.yaml", "--out", out, "--no-pdf", "--store", syria_store.path
    )
    assert_user_error(code, err, "No space left on device", "The disk is full")
    assert "Check the file's format" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]
