/**
 * YAML as MLflow's file store reads and writes it: PyYAML `safe_dump` (sorted keys, block
 * style, Unicode as is) on the way out, PyYAML `safe_load` semantics on the way in.
 *
 * Both directions go through the `yaml` package, with PyYAML's YAML 1.1 resolver applied by
 * hand: a plain scalar is typed the way PyYAML would type it (`'0'` is a string, `0` an int,
 * `None` a string, `null` null, `yes` a bool…), and a string that PyYAML would read back as
 * something else is written quoted. What lablog writes PyYAML reads back unchanged, and the
 * other way round.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Scalar } from 'yaml';

/** A value as PyYAML's `safe_load` returns it (ints beyond 2^53 come back as digit strings). */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

/** A mapping read from a `meta.yaml`. */
export type YamlMap = { [key: string]: YamlValue };

// PyYAML's implicit resolvers (yaml/resolver.py), YAML 1.1.
const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_NULL = /^(?:~|null|Null|NULL|)$/;
const PY_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const PY_SPECIAL = /^(?:=|<<)$/;

/** True when PyYAML would read `s`, written as a plain scalar, as something other than that string. */
export function pyYamlNeedsQuotes(s: string): boolean {
  return PY_NULL.test(s) || PY_BOOL.test(s) || PY_INT.test(s) || PY_FLOAT.test(s) || PY_TIMESTAMP.test(s) || PY_SPECIAL.test(s);
}

function sexagesimal(body: string): number {
  let n = 0;
  for (const part of body.split(':')) n = n * 60 + Number(part);
  return n;
}

function resolveInt(text: string): number | string {
  let s = text.replace(/_/g, '');
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s.includes(':')) return sign * sexagesimal(s);
  let big: bigint;
  if (s.startsWith('0b')) big = BigInt(s);
  else if (s.startsWith('0x')) big = BigInt(s);
  else if (s.length > 1 && s.startsWith('0')) big = BigInt('0o' + s.slice(1));
  else big = BigInt(s);
  if (sign < 0) big = -big;
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big.toString();
}

function resolveFloat(text: string): number {
  const s = text.replace(/_/g, '');
  const lower = s.toLowerCase();
  if (lower.endsWith('.nan')) return NaN;
  if (lower.endsWith('.inf')) return s.startsWith('-') ? -Infinity : Infinity;
  if (s.includes(':')) {
    const sign = s.startsWith('-') ? -1 : 1;
    return sign * sexagesimal(s.replace(/^[-+]/, ''));
  }
  return Number(s);
}

/** Types a plain scalar the way PyYAML's `safe_load` does (timestamps stay strings). */
export function resolvePlainScalar(text: string): YamlValue {
  if (PY_NULL.test(text)) return null;
  if (PY_BOOL.test(text)) return PY_TRUE.test(text);
  if (PY_INT.test(text)) return resolveInt(text);
  if (PY_FLOAT.test(text)) return resolveFloat(text);
  return text;
}

function toValue(node: unknown): YamlValue {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const raw = node.value;
    if (typeof raw !== 'string') return raw === null || raw === undefined ? null : (raw as YamlValue);
    return node.type === 'PLAIN' ? resolvePlainScalar(raw) : raw;
  }
  if (isMap(node)) {
    const out: YamlMap = {};
    for (const pair of node.items) {
      const k = toValue(pair.key);
      out[k === null ? 'null' : String(k)] = toValue(pair.value);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => toValue(n));
  return null;
}

/**
 * Parses YAML text with PyYAML's `safe_load` typing. Returns null for an empty document;
 * throws on malformed YAML.
 */
export function parsePyYaml(text: string): YamlValue {
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false });
  if (doc.errors.length > 0) throw doc.errors[0];
  return toValue(doc.contents);
}

function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

// Characters PyYAML will not write inside a single-quoted scalar (it switches to double quotes).
// eslint-disable-next-line no-control-regex
const NEEDS_DOUBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff\ud800-\udfff]/u;

/**
 * Serialises a mapping as PyYAML's `yaml.safe_dump(data, default_flow_style=False,
 * allow_unicode=True, sort_keys=True)` does: keys sorted by code point, block style, sequences
 * not indented under their key, `null` for None, `[]`/`{}` for empty collections, and any string
 * PyYAML would mis-type quoted. Long lines are not folded (PyYAML folds at 80 columns; both
 * read back the same).
 */
export function stringifyPyYaml(data: YamlMap): string {
  const doc = new Document(data, { sortMapEntries: (a, b) => codePointCompare(String(a.key), String(b.key)) });
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string') return;
      if (NEEDS_DOUBLE.test(node.value)) node.type = 'QUOTE_DOUBLE';
      else if (pyYamlNeedsQuotes(node.value)) node.type = 'QUOTE_SINGLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, minContentWidth: 0, singleQuote: true, flowCollectionPadding: false });
}

/** Narrows a parsed YAML value to a mapping; anything else becomes null. */
export function asYamlMap(v: YamlValue): YamlMap | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
}
