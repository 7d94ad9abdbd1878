"""Reading department spreadsheets: .xlsx, .xls and .csv, however they look.

python-calamine does the reading (fast, never evaluates formulas: it returns the value the file stored).
This module turns a file into sheets of header-mapped rows and reports what it could not understand; it knows
nothing about the database.
"""

import codecs
import csv
import io
import itertools
import operator
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.utils.translation import gettext as _

from .spec import ITEM_SHEET, SHEETS, Sheet

HEADER_SCAN_ROWS = 30
Source = bytes | str | os.PathLike  # a file's bytes, or its path


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "message": self.message}


@dataclass
class SheetData:
    spec: Sheet
    source_name: str  # the sheet's name in the file
    header_row: int  # 1-based, as a spreadsheet program shows it
    columns: dict[int, str]  # position → column key
    headers: dict[str, str]  # column key → header text as written in the file
    # (row number, raw values in the order of keys), for each non-blank row below the header: a list, or, while
    # read_workbook() hands the sheet to its on_sheet, an iterator that reads the rows as it goes
    rows: list[tuple[int, tuple]] | Iterator[tuple[int, tuple]] = field(default_factory=list)
    expected_rows: int = 0  # rows below the header, blank ones included (known before they are read)
    row_count: int = 0  # non-blank rows read so far

    @property
    def keys(self) -> tuple[str, ...]:
        """The column keys, in the order of each row's values."""
        return tuple(self.columns.values())

    def records(self) -> list[tuple[int, dict[str, object]]]:
        """The rows as (row number, {column key: raw value})."""
        keys = self.keys
        return [(number, dict(zip(keys, cells, strict=True))) for number, cells in self.rows]


@dataclass
class Workbook:
    sheets: dict[str, SheetData]  # spec name → data
    warnings: list[RowError]
    errors: list[RowError] = field(default_factory=list)


def normalise_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"[\s*＊※]+", "", text)
    return text.replace("（必填）", "").replace("(必填)", "").strip()


def _strip_brackets(text: str) -> str:
    return re.sub(r"[(（][^()（）]*[)）]$", "", text)


def header_lookup(sheet: Sheet, extra: dict[str, str] | None = None) -> dict[str, str]:
    lookup = {}
    for column in sheet.columns:
        for name in (column.header, *column.aliases):
            lookup.setdefault(normalise_header(name), column.key)
    for source, key in (extra or {}).items():
        lookup[normalise_header(source)] = key
    return lookup


def match_header(text, lookup) -> str | None:
    name = normalise_header(text)
    if not name:
        return None
    return lookup.get(name) or lookup.get(_strip_brackets(name))


def cell_text(value) -> str:
    """A cell as text, the way a person reads it: no 1.0 for 1, no exponent for long numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- opening files --------------------------------------------------------------------------------------------

def sniff_kind(head: bytes, filename: str = "") -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2 container: a legacy .xls, or an encrypted .xlsx (Office wraps those in OLE2 too).
        return "ole"
    if head.startswith(b"PK"):
        return "zip-other"
    if b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary"
    return "csv"


def _check_zip(data: Source):
    limit = settings.IMPORTS_MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(data if _is_path(data) else io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("文件已损坏，无法作为 Excel 工作簿打开")) from exc
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileRefused(_("这是一个压缩包，不是 Excel 工作簿（.xlsx）"))
    total = sum(info.file_size for info in infos)
    if total > limit:
        raise FileRefused(
            _("工作簿解压后为 %(size)d MB，超过上限 %(limit)d MB，可能是压缩炸弹；请拆分后再导入")
            % {"size": total // 2**20, "limit": limit // 2**20}
        )


# --- sources: the bytes of a file, or its path (an upload kept in private storage) -------------------------------
# A path is read as it goes: a 150 MB CSV is never in memory whole (the upload streams to disk; see imports.views).

CHUNK = 2**18  # bytes per read of a CSV scanned for its encoding


def _is_path(source) -> bool:
    return isinstance(source, str | os.PathLike)


def _open_binary(source: Source):
    return open(source, "rb") if _is_path(source) else io.BytesIO(source)  # (the caller closes it)


def _head(source: Source, size: int = 8192) -> bytes:
    if _is_path(source):
        with open(source, "rb") as file:
            return file.read(size)
    return bytes(source[:size])


def _is_empty(source: Source) -> bool:
    return os.path.getsize(source) == 0 if _is_path(source) else not source


def _scan_csv(source: Source, head: bytes) -> tuple[str, int]:
    """The CSV's encoding and its number of lines (the sheet's height, for the progress bar), from one pass over the
    file in chunks. Refuses binary files (NUL characters) and files in neither UTF-8 nor GB 18030."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            with _open_binary(source) as file:
                while chunk := file.read(CHUNK):
                    text = decoder.decode(chunk)
                    if "\x00" in text:
                        raise FileRefused(_("不是电子表格文件：请上传 .xlsx、.xls 或 .csv 文件"))
                    lines += text.count("\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines + 1
    raise FileRefused(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel 工作簿"))


def _csv_rows(source: Source, encoding: str):
    """The CSV's rows, read incrementally; every error of the csv module said in Chinese, with its line."""
    limit = settings.IMPORTS_MAX_ROWS + HEADER_SCAN_ROWS
    cell_limit = csv.field_size_limit()
    with _open_binary(source) as binary, io.TextIOWrapper(binary, encoding=encoding, newline="") as text:
        sample = text.read(8192)
        text.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(text, dialect)
        count = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise FileRefused(
                        _("第%(line)d行附近有一个单元格超过 %(limit)d 个字符，无法读取：请检查该处的引号是否成对，"
                          "或把过长的内容拆分后再导入") % {"line": reader.line_num, "limit": cell_limit}
                    ) from exc
                raise FileRefused(
                    _("CSV 文件第%(line)d行格式有误，无法读取：请用电子表格软件打开后另存为 CSV（UTF-8）"
                      "或 .xlsx 再导入") % {"line": reader.line_num}
                ) from exc
            count += 1
            if count > limit:
                _check_rows(count)
            yield row


def read_raw_sheets(data: Source, filename: str = "") -> dict[str, list[list]]:
    """The file's sheets as lists of rows of cell values, in file order."""
    return {name: list(rows) for name, rows in iter_raw_sheets(data, filename)}


def iter_raw_sheets(data: Source, filename: str = "", skip=None):
    """(sheet name, iterator over its rows) for each sheet, in file order, streamed: its rows become Python lists
    one at a time. data is the file's bytes or its path; a CSV file given by its path is read incrementally.

    A workbook's sheets are loaded by calamine (compactly, without holding the GIL) one sheet ahead: while the
    caller works through one sheet's rows, the next sheet loads in a background thread, so at most two sheets are
    loaded at once. skip(name) → true leaves a sheet out without loading it (a CSV file's only sheet is never
    skipped)."""
    if _is_empty(data):
        raise FileRefused(_("文件是空的"))
    head = _head(data)
    kind = sniff_kind(head, filename)
    if kind == "binary" or kind == "zip-other":
        raise FileRefused(_("不是电子表格文件：请上传 .xlsx、.xls 或 .csv 文件"))
    if kind == "csv":
        encoding, height = _scan_csv(data, head)
        yield ITEM_SHEET.name, SheetRows(_csv_rows(data, encoding), height)
        return
    if kind == "xlsx":
        _check_zip(data)
    try:
        workbook = _open_workbook(data)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        if kind == "ole":
            raise FileRefused(_("文件已加密或损坏，无法读取：请去掉密码保护后另存为 .xlsx 再导入")) from exc
        raise FileRefused(_("文件已损坏，无法作为 Excel 工作簿打开")) from exc
    names = [name for name in workbook.sheet_names if not (skip and skip(name))]
    if len(names) < 2:
        for name in names:
            sheet = _refusing_damage(name, _load_sheet, workbook, name)
            yield name, _sheet_rows(name, sheet)
            del sheet
        return
    # One calamine workbook must not be used by two threads at once: the background thread opens its own from
    # the same bytes, and loads every sheet after the first one, in order.
    background = {}

    def load_in_background(name):
        if "workbook" not in background:
            background["workbook"] = _open_workbook(data)
        return _load_sheet(background["workbook"], name)

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="imports-reader")
    try:
        ahead = executor.submit(load_in_background, names[1])
        sheet = _refusing_damage(names[0], _load_sheet, workbook, names[0])
        workbook = None  # the first sheet is the only one the caller's thread loads
        for index, name in enumerate(names):
            if index:
                sheet = _refusing_damage(name, ahead.result)  # raises what the background load raised
                ahead = executor.submit(load_in_background, names[index + 1]) if index + 1 < len(names) else None
            yield name, _sheet_rows(name, sheet)
            del sheet
    finally:
        # Left early (a refused file, a caller that stopped reading): a sheet still loading is not waited for.
        executor.shutdown(wait=False, cancel_futures=True)


def _open_workbook(data: Source):
    from python_calamine import CalamineWorkbook

    if _is_path(data):
        return CalamineWorkbook.from_path(os.fspath(data))
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _load_sheet(workbook, name):
    """One sheet, loaded whole by calamine (the slow part of reading; calamine does not hold the GIL meanwhile)."""
    return workbook.get_sheet_by_name(name)


def _refusing_damage(name, load, *args):
    try:
        return load(*args)
    except Exception as exc:
        raise FileRefused(_("工作表“%(name)s”已损坏，无法读取") % {"name": name}) from exc


class SheetRows:
    """A sheet's rows, each a list of cell values, made one at a time as they are iterated over; height: how many
    rows the sheet has, known before."""

    def __init__(self, rows: Iterator[list], height: int):
        self._rows, self.height = rows, height

    def __iter__(self):
        return self._rows


def _sheet_rows(name, sheet) -> SheetRows:
    return SheetRows(_calamine_rows(name, sheet), sheet.height)


def _calamine_rows(name, sheet):
    limit = settings.IMPORTS_MAX_ROWS + HEADER_SCAN_ROWS  # (read once: a setting is slow to look up per row)
    try:
        for count, row in enumerate(sheet.iter_rows(), start=1):
            if count > limit:
                _check_rows(count)
            yield row
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused(_("工作表“%(name)s”已损坏，无法读取") % {"name": name}) from exc


def _check_rows(count):
    if count > settings.IMPORTS_MAX_ROWS + HEADER_SCAN_ROWS:
        raise FileRefused(
            _("行数超过上限 %(limit)d 行；请拆分后再导入") % {"limit": settings.IMPORTS_MAX_ROWS}
        )


# --- finding the header ----------------------------------------------------------------------------------------

def _spec_for_sheet(name: str) -> Sheet | None:
    normal = normalise_header(name)
    for spec in SHEETS:
        if normal in (normalise_header(spec.name), *(normalise_header(a) for a in spec.aliases)):
            return spec
    return None


def find_header(rows: list[list], lookup: dict[str, str]) -> tuple[int, dict[int, str], dict[str, str]] | None:
    """The header row (0-based) and its mapping, found as the row among the first ones that names most columns.

    A header merged over two rows (a group title above its sub-columns) is read as one: each position takes the
    lower cell when it names a column, the upper one otherwise.
    """
    best = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        matched = {i: key for i, cell in enumerate(row) if (key := match_header(cell_text(cell), lookup))}
        if len(set(matched.values())) >= 2 and (best is None or len(matched) > len(best[1])):
            best = (index, matched)
    if best is None:
        return None
    index, matched = best
    end = index
    if index + 1 < len(rows):
        below = rows[index + 1]
        extra = {i: key for i, cell in enumerate(below) if (key := match_header(cell_text(cell), lookup))}
        if extra and not set(extra.values()) & set(matched.values()):
            matched = {**matched, **extra}
            end = index + 1
    columns, seen, headers = {}, set(), {}
    header_rows = rows[index : end + 1]
    for i, key in sorted(matched.items()):
        if key in seen:
            continue  # a repeated column: the first one counts
        seen.add(key)
        columns[i] = key
        headers[key] = next(
            (cell_text(r[i]) for r in reversed(header_rows) if i < len(r) and match_header(cell_text(r[i]), lookup)),
            "",
        )
    return end, columns, headers


def _blank(value) -> bool:
    # cell_text(value).strip() == "", without making text of every cell.
    return value is None or (type(value) is str and not value.strip())


def _map_rows(data_sheet: SheetData, stream, first: int):
    """The sheet's non-blank rows, from row number first on, as (row number, raw values in the order of keys)."""
    positions = tuple(data_sheet.columns)
    pick = operator.itemgetter(*positions) if len(positions) > 1 else (lambda row, i=positions[0]: (row[i],))
    width = max(positions) + 1
    last = first - 1 + settings.IMPORTS_MAX_ROWS  # the last row number within the row limit
    str_ = str
    for offset, row in zip(itertools.count(first), stream):
        if offset > last:
            _check_rows(offset - first + 1 + HEADER_SCAN_ROWS)
        try:
            cells = pick(row)
        except IndexError:  # a row shorter than the header
            cells = pick(list(row) + [None] * (width - len(row)))
        value = cells[0]
        if value is None or (type(value) is str_ and not value.strip()):  # the first cell is mostly filled in
            if all(_blank(v) for v in cells):
                continue
        data_sheet.row_count += 1
        yield offset, cells


def _kept(rows, strings: dict[str, str]) -> list[tuple[int, tuple]]:
    """The rows as a list, each repeated short text one object: spreadsheets repeat their short cells (codes, coded
    values, an item's code on each of its materials), and 500,000 rows kept in memory stay small."""
    intern, str_ = strings.setdefault, str
    return [(offset, tuple([intern(v, v) if type(v) is str_ and len(v) <= 64 else v for v in cells]))
            for offset, cells in rows]


def _instructions_sheet(name: str) -> bool:
    """The 填表说明 and 代码表 sheets of the template: read by people, never imported (nor even loaded)."""
    return _spec_for_sheet(name) is None and normalise_header(name) in ("填表说明", "代码表")


def read_workbook(data: Source, filename: str = "", mapping: dict[str, str] | None = None,
                  on_sheet: Callable[[SheetData], None] | None = None) -> Workbook:
    """The file's sheets, header-mapped.

    Without on_sheet, each sheet's rows are kept in a list. With it, on_sheet(sheet) is called with each sheet as
    soon as its header is found, while the next sheet loads in the background; it iterates over sheet.rows, which
    reads them as it goes: the rows are handled once, without being kept (rows it leaves are read and dropped)."""
    sheets: dict[str, SheetData] = {}
    warnings: list[RowError] = []
    errors: list[RowError] = []
    strings: dict[str, str] = {}
    for name, stream in iter_raw_sheets(data, filename, skip=_instructions_sheet):
        # Streamed: the header is looked for in the first rows; the rest are mapped one by one, so only the
        # header-mapped cells stay in memory.
        spec = _spec_for_sheet(name)
        rows = list(itertools.islice(stream, HEADER_SCAN_ROWS + 1))
        candidates = [spec] if spec else [s for s in SHEETS if s.name not in sheets]
        found = None
        for candidate in candidates:
            header = find_header(rows, header_lookup(candidate, mapping if candidate is ITEM_SHEET else None))
            if header and all(k in header[1].values() for k in candidate.required_keys[:1]):
                found = (candidate, header)
                break
        if found is None:
            if spec is not None:
                needed = "、".join(spec.column(k).header for k in spec.required_keys)
                errors.append(RowError(name, None, "", "", _("找不到表头：工作表须包含列 %(cols)s") % {"cols": needed}))
            elif any(cell_text(c).strip() for r in rows[:HEADER_SCAN_ROWS] for c in r):
                warnings.append(RowError(name, None, "", "", _("未识别的工作表（找不到实施编码等表头），已忽略")))
            for _row in stream:  # the row limit applies to every sheet
                pass
            continue
        spec, (end, columns, headers) = found
        if spec.name in sheets:
            warnings.append(RowError(name, None, "", "", _("与工作表“%(other)s”内容重复，已忽略")
                                     % {"other": sheets[spec.name].source_name}))
            for _row in stream:
                pass
            continue
        data_sheet = SheetData(spec, name, end + 1, columns, headers)
        header_row = rows[end]
        known = set(columns)
        for i, cell in enumerate(header_row):
            text = cell_text(cell).strip()
            if text and i not in known and normalise_header(text) not in ("序号", "编号", "NO.", "NO"):
                if end > 0 and i < len(rows[end - 1]) and match_header(cell_text(rows[end - 1][i]), {}):
                    continue
                warnings.append(RowError(name, end + 1, text, "", _("未知的列“%(col)s”，已忽略") % {"col": text}))
        data_sheet.expected_rows = max(0, stream.height - end - 1)
        mapped = data_sheet.rows = _map_rows(data_sheet, itertools.chain(rows[end + 1 :], stream), end + 2)
        sheets[spec.name] = data_sheet
        if on_sheet is None:
            data_sheet.rows = _kept(mapped, strings)
        else:
            on_sheet(data_sheet)
            for _row in mapped:  # the row limit applies to every sheet, and row_count counts them all
                pass
            data_sheet.rows = []
    return Workbook(sheets, warnings, errors)
