/**
 * A small RFC 4180 CSV reader for `text/csv` scoring requests: comma separator, fields optionally
 * in double quotes (`""` inside quotes is one quote; quoted fields may hold commas and line
 * breaks), CRLF or LF line ends, a header row. Cells come back as strings; an empty unquoted
 * cell is `null` (pandas reads it as NaN), an empty quoted cell `""` is the empty string.
 * A UTF-8 byte-order mark is skipped; blank lines are skipped, as pandas does.
 */
import { badRequest } from './errors.js';

/** A parsed CSV: header names and rows of cells (strings, or null for an empty unquoted cell). */
export interface CsvTable {
  readonly header: string[];
  readonly rows: (string | null)[][];
}

function csvError(detail: string): Error {
  return badRequest(
    "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. Error: '" +
      detail +
      "'",
  );
}

/**
 * Parses CSV text.
 * @throws LablogError 400 BAD_REQUEST (MLflow's "Failed to parse input as a Pandas DataFrame…")
 *   for an empty input, an unterminated quote, a stray quote, or a row longer than the header.
 */
export function parseCsv(text: string): CsvTable {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let line = 1;
  while (i <= n) {
    // One field.
    let value: string | null;
    if (i < n && text.charCodeAt(i) === 34 /* " */) {
      const startLine = line;
      i++;
      let out = '';
      let from = i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw csvError(`unterminated quoted field starting on line ${startLine}`);
        for (let k = i; k < q; k++) if (text.charCodeAt(k) === 10) line++;
        if (text.charCodeAt(q + 1) === 34) {
          out += text.slice(from, q + 1);
          i = q + 2;
          from = i;
          continue;
        }
        out += text.slice(from, q);
        i = q + 1;
        break;
      }
      value = out;
      const c = i < n ? text.charCodeAt(i) : -1;
      if (c !== -1 && c !== 44 && c !== 10 && c !== 13) throw csvError(`unexpected character after a closing quote on line ${line}`);
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        if (c === 34) throw csvError(`unexpected quote inside an unquoted field on line ${line}`);
        j++;
      }
      value = j === i ? null : text.slice(i, j);
      i = j;
    }
    record.push(value);
    // What ends the field.
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === 44) {
      i++;
      continue;
    }
    if (c === 13) i++;
    if (i < n && text.charCodeAt(i) === 10) i++;
    line++;
    if (!(record.length === 1 && record[0] === null)) records.push(record);
    record = [];
    if (c === -1 || i >= n) break;
  }
  const header = records.shift();
  if (header === undefined) throw csvError('No columns to parse from file');
  const names = header.map((h) => h ?? '');
  const rows = records;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length > names.length) throw csvError(`Expected ${names.length} fields in line ${r + 2}, saw ${row.length}`);
    while (row.length < names.length) row.push(null);
  }
  return { header: names, rows };
}
