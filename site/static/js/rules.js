/* Tongban's own JSON Logic operations in the browser, the same as rules/operations.py on the server.
 *
 * Load after vendor/json-logic-js/logic.js. The page hands over the data the checks need:
 *   TongbanRules.setCalendar(data)   rules.calendar.calendar_data(): entered years, off days, make-up workdays
 *   TongbanRules.setDivisions(data)  the parsed static file rules/divisions.json
 * Until then the operations that need them give null. tests/rules/operation_cases.json holds the cases that
 * both sides must agree on; docs/architecture.md ("Our own rule operations") describes each operation.
 * Nothing here throws for bad input: a wrong type, a date that is not "YYYY-MM-DD" or an invalid number gives
 * null (false for the valid_* checks).
 */
(function (root) {
  "use strict";

  var jsonLogic = root.jsonLogic;
  var FIRST_ORDINAL = 1; // 0001-01-01, as Python's date.toordinal()
  var LAST_ORDINAL = 3652059; // 9999-12-31
  var CHINA_OFFSET_MS = 8 * 3600 * 1000; // Asia/Shanghai: UTC+8, no daylight saving since 1991
  var CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  var ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
  // Python's str.strip() whitespace (str.isspace), which differs from String.prototype.trim at the edges.
  var PY_SPACE = "[\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
    "\\u202f\\u205f\\u3000]";
  var PY_STRIP = new RegExp("^" + PY_SPACE + "+|" + PY_SPACE + "+$", "g");
  var ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  // Python's \d in catalog.validators.check_division_code: any Unicode decimal digit.
  var UNICODE_DIVISION = /^\p{Nd}{6}(?:\p{Nd}{6})?$/u;

  var calendar = null;
  var divisions = null;

  function pyStrip(text) {
    return text.replace(PY_STRIP, "");
  }

  // --- dates: whole-day ordinals, no Date objects (no time zones, no two-digit-year surprises) ---

  function daysFromCivil(y, m, d) { // days since 1970-01-01 (H. Hinnant's algorithm)
    y -= m <= 2 ? 1 : 0;
    var era = Math.floor(y / 400);
    var yoe = y - era * 400;
    var doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  var ORDINAL_OF_EPOCH = 719163; // date(1970, 1, 1).toordinal()

  function ordinalOf(y, m, d) {
    return daysFromCivil(y, m, d) + ORDINAL_OF_EPOCH;
  }

  function isoOf(ordinal) {
    var z = ordinal - ORDINAL_OF_EPOCH + 719468;
    var era = Math.floor(z / 146097);
    var doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153);
    var d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    var m = mp + (mp < 10 ? 3 : -9);
    var y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
  }

  function pad(n, width) {
    var text = String(n);
    while (text.length < width) text = "0" + text;
    return text;
  }

  function daysInMonth(y, m) {
    if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].indexOf(m) >= 0 ? 30 : 31;
  }

  function validDate(y, m, d) {
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
  }

  function parseDate(value) { // the ordinal of an ISO "YYYY-MM-DD", or null
    if (typeof value !== "string" || !ISO_DATE.test(value)) return null;
    var y = +value.slice(0, 4), m = +value.slice(5, 7), d = +value.slice(8, 10);
    return validDate(y, m, d) ? ordinalOf(y, m, d) : null;
  }

  function wholeNumber(value) { // a JSON integer (2 or 2.0), or null
    return typeof value === "number" && Number.isInteger(value) ? value : null;
  }

  function shift(ordinal, days) {
    var result = ordinal + days;
    return result >= FIRST_ORDINAL && result <= LAST_ORDINAL ? isoOf(result) : null;
  }

  function todayOrdinal() {
    var now = new Date(Date.now() + CHINA_OFFSET_MS);
    return ordinalOf(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate());
  }

  // --- working days: weekdays, minus official off days on weekdays, plus make-up workdays on weekends ---

  function isWeekend(ordinal) {
    return (ordinal - 1) % 7 >= 5; // ordinal 1 is a Monday
  }

  function weekdaysUpTo(ordinal) { // weekdays among ordinals 1..ordinal
    return Math.floor(ordinal / 7) * 5 + Math.min(ordinal % 7, 5);
  }

  function countUpTo(sorted, ordinal) { // how many entries are <= ordinal
    var lo = 0, hi = sorted.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (sorted[mid] <= ordinal) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function workingDaysAfter(start, end) { // working days in (start, end], start <= end
    return weekdaysUpTo(end) - weekdaysUpTo(start) -
      (countUpTo(calendar.offWeekdays, end) - countUpTo(calendar.offWeekdays, start)) +
      (countUpTo(calendar.workWeekends, end) - countUpTo(calendar.workWeekends, start));
  }

  function nthWorkingDayAfter(start, n) {
    if (n === 0) return start;
    // The smallest end with n working days in (start, end]; 2n + 40 days always hold n of them.
    var lo = start + 1, hi = Math.min(start + 2 * n + 40, LAST_ORDINAL);
    if (workingDaysAfter(start, hi) < n) return null;
    while (lo < hi) {
      var mid = Math.floor((lo + hi) / 2);
      if (workingDaysAfter(start, mid) >= n) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  function setCalendar(data) {
    var offWeekdays = [], workWeekends = [];
    (data.off_days || []).forEach(function (day) {
      var ordinal = parseDate(day);
      if (ordinal !== null && !isWeekend(ordinal)) offWeekdays.push(ordinal);
    });
    (data.work_days || []).forEach(function (day) {
      var ordinal = parseDate(day);
      if (ordinal !== null && isWeekend(ordinal)) workWeekends.push(ordinal);
    });
    var ascending = function (a, b) { return a - b; };
    calendar = {
      enteredYears: (data.entered_years || []).slice(),
      offWeekdays: offWeekdays.sort(ascending),
      workWeekends: workWeekends.sort(ascending),
    };
  }

  // --- resident ID numbers (GB 11643), as python-stdnum's cn.ric judges them ---

  // python-stdnum reads full-width and mathematical digits as ASCII ones (stdnum.util.clean).
  function asciiDigit(ch) {
    var code = ch.codePointAt(0);
    if (code >= 0xff10 && code <= 0xff19) return String(code - 0xff10);
    if (code >= 0x1d7ce && code <= 0x1d7ff) return String((code - 0x1d7ce) % 10);
    return ch;
  }

  function compactId(value) {
    return Array.from(pyStrip(value)).map(asciiDigit).join("").toUpperCase();
  }

  function idCheckDigit(body) { // (1 - 2 * int(body, 13)) % 11
    var rest = 0;
    for (var i = 0; i < body.length; i++) rest = (rest * 13 + (+body[i])) % 11;
    var check = ((1 - 2 * rest) % 11 + 11) % 11;
    return check === 10 ? "X" : String(check);
  }

  function birthPlaceValid(code, year) {
    var spans = divisions.birthPlaces[code];
    if (spans === undefined) return false;
    if (spans === null) return true;
    return spans.some(function (span) {
      var bounds = span.split("-");
      return !(bounds[0] && year < +bounds[0]) && !(bounds[1] && year > +bounds[1]);
    });
  }

  function residentId(value) { // the compact number when valid, else null
    if (typeof value !== "string" || divisions === null) return null;
    var number = compactId(value);
    if (!/^[0-9]{17}[0-9X]$/.test(number) || idCheckDigit(number.slice(0, 17)) !== number[17]) return null;
    var y = +number.slice(6, 10), m = +number.slice(10, 12), d = +number.slice(12, 14);
    if (!validDate(y, m, d) || !birthPlaceValid(number.slice(0, 6), y)) return null;
    return number;
  }

  // --- the catalog's other checks (catalog/validators.py) ---

  function creditCodeValid(value) {
    var chars = Array.from(pyStrip(value));
    if (chars.length !== 18 || chars.join("") !== chars.join("").toUpperCase()) return false;
    var mapped = chars.map(asciiDigit);
    for (var i = 0; i < 18; i++) {
      if (i < 8 ? !/^[0-9]$/.test(mapped[i]) : CREDIT_ALPHABET.indexOf(mapped[i]) < 0) return false;
    }
    var total = 0;
    for (var j = 0; j < 17; j++) total += CREDIT_ALPHABET.indexOf(mapped[j]) * CREDIT_WEIGHTS[j];
    if (CREDIT_ALPHABET[(31 - total % 31) % 31] !== mapped[17]) return false;
    // The embedded organisation code (GB 11714), characters 9 to 17 as typed.
    var org = chars.slice(8, 17).join("");
    if (!/^[0-9A-Z]{8}[0-9X]$/.test(org)) return false;
    var sum = 0;
    for (var k = 0; k < 8; k++) sum += ORG_ALPHABET.indexOf(org[k]) * ORG_WEIGHTS[k];
    var check = 11 - sum % 11;
    return (check === 10 ? "X" : check === 11 ? "0" : String(check)) === org[8];
  }

  function divisionCodeValid(value) {
    var text = pyStrip(value);
    if (!UNICODE_DIVISION.test(text)) return false;
    var chars = Array.from(text);
    if (chars.length === 12 && chars.slice(6).join("") !== "000000") return true; // below county level
    return divisions.divisions.has(chars.slice(0, 6).join(""));
  }

  function setDivisions(data) {
    var birthPlaces = {};
    data.birth_places.split(" ").forEach(function (entry) {
      var parts = entry.split(":");
      birthPlaces[parts[0]] = parts.length > 1 ? parts[1].split(",") : null;
    });
    divisions = {divisions: new Set(data.divisions.split(" ")), birthPlaces: birthPlaces};
  }

  // --- the operations ---

  var operations = {
    add_days: function (day, n) {
      var start = parseDate(day), days = wholeNumber(n);
      return start === null || days === null ? null : shift(start, days);
    },
    days_between: function (a, b) {
      var start = parseDate(a), end = parseDate(b);
      return start === null || end === null ? null : end - start;
    },
    add_working_days: function (day, n) {
      var start = parseDate(day), count = wholeNumber(n);
      if (calendar === null || start === null || count === null || count < 0 || count > LAST_ORDINAL) return null;
      var result = nthWorkingDayAfter(start, count);
      return result === null ? null : isoOf(result);
    },
    working_days_between: function (a, b) {
      var start = parseDate(a), end = parseDate(b);
      if (calendar === null || start === null || end === null) return null;
      return end < start ? -workingDaysAfter(end, start) : workingDaysAfter(start, end);
    },
    today: function () {
      return isoOf(todayOrdinal());
    },
    id_age: function (idNumber, onDate) {
      var number = residentId(idNumber);
      var on = arguments.length < 2 ? todayOrdinal() : parseDate(onDate);
      if (number === null || on === null) return null;
      var y = +number.slice(6, 10), m = +number.slice(10, 12), d = +number.slice(12, 14);
      if (on < ordinalOf(y, m, d)) return null;
      var onIso = isoOf(on);
      var onMonth = +onIso.slice(5, 7), onDay = +onIso.slice(8, 10);
      // A birthday on 29 February comes on 1 March in common years.
      return +onIso.slice(0, 4) - y - (onMonth < m || (onMonth === m && onDay < d) ? 1 : 0);
    },
    id_sex: function (idNumber) {
      var number = residentId(idNumber);
      return number === null ? null : (+number[16] % 2 ? "男" : "女");
    },
    valid_id_number: function (value) {
      return divisions === null ? null : residentId(value) !== null;
    },
    valid_credit_code: function (value) {
      return typeof value === "string" && creditCodeValid(value);
    },
    valid_mobile: function (value) {
      return typeof value === "string" && /^1[3-9][0-9]{9}$/.test(pyStrip(value));
    },
    valid_division_code: function (value) {
      if (divisions === null) return null;
      return typeof value === "string" && divisionCodeValid(value);
    },
  };

  Object.keys(operations).forEach(function (name) {
    jsonLogic.add_operation(name, operations[name]);
  });

  root.TongbanRules = {
    apply: function (rule, data) { return jsonLogic.apply(rule, data); },
    setCalendar: setCalendar,
    setDivisions: setDivisions,
    operations: Object.keys(operations),
  };
})(typeof window !== "undefined" ? window : globalThis);
