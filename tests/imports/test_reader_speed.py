"""The reader loads a workbook's sheets one ahead in a background thread: same rows, same refusals as one by one."""

import threading

import pytest
from python_calamine import CalamineWorkbook

from imports import reader
from imports.reader import FileRefused, iter_raw_sheets, read_raw_sheets, read_workbook
from imports.spec import SHEETS

from .conftest import xlsx

SPECS = {sheet.name: sheet for sheet in SHEETS}


def headers(sheet_name):
    return [column.header for column in SPECS[sheet_name].columns]


def rows_for(sheet_name, count, blank_every=0):
    width = len(SPECS[sheet_name].columns)
    rows = [headers(sheet_name)]
    for n in range(count):
        if blank_every and n % blank_every == blank_every - 1:
            rows.append([None, "  "])  # blank (and short): skipped
            continue
        row = [f"{sheet_name}-{n % 7}-{c}" if c else f"CODE-{n // 3}" for c in range(width)]
        if n % 5 == 0:
            row = row[:2]  # a short row: the missing cells read as empty
        rows.append(row)
    return rows


@pytest.fixture
def workbook_file():
    return xlsx(
        ("填表说明", [["说明：每个事项一行"], ["实施编码", "事项名称"]]),
        ("事项", rows_for("事项", 40, blank_every=9)),
        ("申请材料", rows_for("申请材料", 120, blank_every=11)),
        ("备注", [["随便写的", "内容"]]),
        ("收费项目", rows_for("收费项目", 30)),
        ("代码表", [["代码", "名称"], ["1", "行政许可"]]),
        ("常见问题", rows_for("常见问题", 25, blank_every=4)),
    )


def one_by_one(data):
    """Every sheet loaded in turn by a single calamine workbook, as the reader did before it loaded ahead."""
    import io

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: list(workbook.get_sheet_by_name(name).iter_rows()) for name in workbook.sheet_names}


def test_raw_sheets_are_the_same_as_loading_one_by_one(workbook_file):
    assert read_raw_sheets(workbook_file, "x.xlsx") == one_by_one(workbook_file)
    assert list(read_raw_sheets(workbook_file, "x.xlsx")) == ["填表说明", "事项", "申请材料", "备注", "收费项目",
                                                             "代码表", "常见问题"]


def test_read_workbook_maps_the_same_rows_as_sheet_by_sheet(workbook_file):
    expected = {}
    raw = one_by_one(workbook_file)
    for sheet_name in ("事项", "申请材料", "收费项目", "常见问题"):
        keys = [column.key for column in SPECS[sheet_name].columns]
        rows = []
        for number, row in enumerate(raw[sheet_name][1:], start=2):
            row = list(row) + [""] * (len(keys) - len(row))
            if all(not str(v).strip() for v in row):
                continue
            rows.append((number, dict(zip(keys, row, strict=True))))
        expected[sheet_name] = rows

    workbook = read_workbook(workbook_file, "x.xlsx")

    assert list(workbook.sheets) == ["事项", "申请材料", "收费项目", "常见问题"]
    for name, rows in expected.items():
        got = workbook.sheets[name].records()
        assert [(n, {k: v for k, v in values.items() if v not in ("", None)}) for n, values in got] == [
            (n, {k: v for k, v in values.items() if v not in ("", None)}) for n, values in rows
        ]
        assert [n for n, _ in got] == [n for n, _ in rows]
        assert workbook.sheets[name].header_row == 1
    assert [w.sheet for w in workbook.warnings] == ["备注"]
    assert workbook.errors == []
    # Repeated short cells are one string object: an item's code in its materials rows.
    codes = [values["item_code"] for _, values in workbook.sheets["申请材料"].records()
             if values["item_code"] == "CODE-0"]
    assert len(codes) > 1 and all(code is codes[0] for code in codes)


def test_sheets_load_in_file_order_one_ahead_and_instructions_are_never_loaded(workbook_file, monkeypatch):
    loaded = []
    real = reader._load_sheet

    def spy(workbook, name):
        loaded.append((name, threading.current_thread() is threading.main_thread()))
        return real(workbook, name)

    monkeypatch.setattr(reader, "_load_sheet", spy)
    wanted = ["事项", "申请材料", "备注", "收费项目", "常见问题"]
    got = []
    for name, rows in iter_raw_sheets(workbook_file, "x.xlsx", skip=reader._instructions_sheet):
        got.append(name)
        # Never more than one sheet ahead of the one being read.
        assert {loaded_name for loaded_name, _ in loaded} <= set(wanted[: len(got) + 1])
        list(rows)
    assert got == wanted
    # The first sheet in the caller's thread, every other one in the background, in file order.
    assert dict(loaded) == {"事项": True, "申请材料": False, "备注": False, "收费项目": False, "常见问题": False}
    assert [name for name, in_main in loaded if not in_main] == wanted[1:]


def failing_on(monkeypatch, bad):
    real = reader._load_sheet

    def load(workbook, name):
        if name == bad:
            raise ValueError("calamine: damaged sheet")
        return real(workbook, name)

    monkeypatch.setattr(reader, "_load_sheet", load)


def test_a_sheet_failing_in_the_background_is_refused_when_it_is_reached(workbook_file, monkeypatch):
    failing_on(monkeypatch, "收费项目")
    stream = iter_raw_sheets(workbook_file, "x.xlsx")
    reached = []
    with pytest.raises(FileRefused) as refused:
        for name, rows in stream:
            list(rows)
            reached.append(name)
    assert str(refused.value) == "工作表“收费项目”已损坏，无法读取"
    assert isinstance(refused.value.__cause__, ValueError)
    assert reached == ["填表说明", "事项", "申请材料", "备注"]

    with pytest.raises(FileRefused, match="工作表“收费项目”已损坏，无法读取"):
        read_workbook(workbook_file, "x.xlsx")


@pytest.mark.parametrize("bad", ["事项", "申请材料"])
def test_the_first_and_second_sheets_failing_are_refused_with_their_name(workbook_file, monkeypatch, bad):
    failing_on(monkeypatch, bad)
    with pytest.raises(FileRefused) as refused:
        read_workbook(workbook_file, "x.xlsx")
    assert str(refused.value) == f"工作表“{bad}”已损坏，无法读取"


def test_a_failing_instructions_sheet_is_not_even_loaded(workbook_file, monkeypatch):
    failing_on(monkeypatch, "填表说明")
    assert list(read_workbook(workbook_file, "x.xlsx").sheets) == ["事项", "申请材料", "收费项目", "常见问题"]


def test_the_background_workbook_is_not_the_callers(workbook_file, monkeypatch):
    seen, workbooks = {}, []
    real = reader._load_sheet

    def spy(workbook, name):
        workbooks.append(workbook)  # kept alive: no id is reused
        seen[name] = id(workbook)
        return real(workbook, name)

    monkeypatch.setattr(reader, "_load_sheet", spy)
    read_workbook(workbook_file, "x.xlsx")
    assert seen["事项"] != seen["申请材料"]
    assert len({seen[name] for name in seen if name != "事项"}) == 1


def test_row_limit_still_applies_to_a_sheet_loaded_in_the_background(workbook_file, settings):
    settings.IMPORTS_MAX_ROWS = 50
    with pytest.raises(FileRefused, match="行数超过上限 50 行"):
        read_workbook(workbook_file, "x.xlsx")


def test_a_single_sheet_workbook_needs_no_background_thread(monkeypatch):
    data = xlsx(("事项", rows_for("事项", 10)))

    def no_thread(*args, **kwargs):
        raise AssertionError("no thread for one sheet")

    monkeypatch.setattr(reader, "ThreadPoolExecutor", no_thread)
    assert len(read_workbook(data, "x.xlsx").sheets["事项"].rows) == 10
