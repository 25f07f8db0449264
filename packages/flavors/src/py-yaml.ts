/**
 * YAML text exactly as PyYAML's `yaml.safe_dump(data, default_flow_style=False)` writes it (the
 * call MLflow uses for `MLmodel` and `conda.yaml`): keys sorted, block style, lists under a key
 * not indented, strings quoted only when PyYAML would (YAML 1.1 look-alikes such as `'1.0'`,
 * `'yes'` or timestamps), long quoted and plain strings folded at column 80, non-ASCII escaped
 * in double quotes (`allow_unicode=False`). Parsing is left to the `yaml` package.
 *
 * This is a port of the parts of PyYAML's `Emitter`, `Serializer` and `SafeRepresenter` that
 * plain data (mappings, lists, strings, numbers, booleans, null) goes through.
 */
import { PyFloat, pythonFloatRepr } from './py-json.js';

/** A value {@link pyYamlDump} can write. Objects are mappings (keys sorted unless told otherwise). */
export type PyYamlValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | readonly PyYamlValue[]
  | { readonly [key: string]: PyYamlValue };

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const BREAKS = '\n\x85\u2028\u2029';
const WS = '\0 \t\r\n\x85\u2028\u2029';
const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\x09': 't', '\x0A': 'n', '\x0B': 'v', '\x0C': 'f', '\x0D': 'r',
  '\x1B': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xA0': '_', '\u2028': 'L', '\u2029': 'P',
};

// PyYAML's implicit resolvers (YAML 1.1): a string matching one of these must be quoted.
const IMPLICIT = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

/** Python's `re.match(r'…$')`: `$` also matches before one final newline. */
function resolvesToNonString(value: string): boolean {
  const v = value.endsWith('\n') ? value.slice(0, -1) : value;
  return IMPLICIT.some((re) => re.test(value) || (v !== value && re.test(v)));
}

interface Analysis {
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

function isSpecial(ch: string): boolean {
  return !(ch === '\n' || (ch >= '\x20' && ch <= '\x7E'));
}

/** PyYAML's `Emitter.analyze_scalar` (with `allow_unicode=False`). */
function analyze(chars: readonly string[]): Analysis {
  if (chars.length === 0) return { empty: true, multiline: false, allowFlowPlain: false, allowBlockPlain: true, allowSingleQuoted: true };
  const text = chars.join('');
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false, breakSpace = false, spaceBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = flowIndicators = true;
  let precededByWs = true;
  let followedByWs = chars.length === 1 || WS.includes(chars[1]!);
  let previousSpace = false, previousBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) flowIndicators = blockIndicators = true;
      if ('?:'.includes(ch)) {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (ch === '-' && followedByWs) flowIndicators = blockIndicators = true;
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (ch === '#' && precededByWs) flowIndicators = blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (isSpecial(ch)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = previousBreak = false;
    }
    precededByWs = WS.includes(ch);
    followedByWs = i + 2 >= chars.length || WS.includes(chars[i + 2]!);
  }
  let flowPlain = true, blockPlain = true, single = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) flowPlain = blockPlain = false;
  if (breakSpace) flowPlain = blockPlain = single = false;
  if (spaceBreak || special) flowPlain = blockPlain = single = false;
  if (lineBreaks) flowPlain = blockPlain = false;
  if (flowIndicators) flowPlain = false;
  if (blockIndicators) blockPlain = false;
  return { empty: false, multiline: lineBreaks, allowFlowPlain: flowPlain, allowBlockPlain: blockPlain, allowSingleQuoted: single };
}

/** Code-point order, as Python sorts `str` keys. */
function comparePy(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** PyYAML's `represent_float`. */
function floatText(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  let text = pythonFloatRepr(x).toLowerCase();
  if (!text.includes('.') && text.includes('e')) text = text.replace('e', '.0e');
  return text;
}

/** Options of {@link pyYamlDump}. */
export interface PyYamlDumpOptions {
  /** Sort mapping keys (PyYAML's `sort_keys`, default true). */
  sortKeys?: boolean;
}

/** Serializes `data` as `yaml.safe_dump(data, default_flow_style=False, sort_keys=…)` does. */
export function pyYamlDump(data: PyYamlValue, options: PyYamlDumpOptions = {}): string {
  return new Emitter(options.sortKeys ?? true).document(data);
}

class Emitter {
  private out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent: number | null = null;
  private openEnded = false;

  constructor(private readonly sortKeys: boolean) {}

  document(data: PyYamlValue): string {
    this.node(data, { root: true, mapping: false, simpleKey: false });
    this.indent = null;
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
    return this.out.join('');
  }

  private write(data: string): void {
    this.out.push(data);
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.column += data.length;
    this.openEnded = false;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeLineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
      this.column = indent;
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.write(data);
  }

  private node(value: PyYamlValue, ctx: { root: boolean; mapping: boolean; simpleKey: boolean }): void {
    if (Array.isArray(value)) {
      if (value.length === 0) return this.emptyFlow('[', ']');
      const saved = this.indent;
      const indentless = ctx.mapping && !this.indention;
      this.indent = saved === null ? 0 : indentless ? saved : saved + BEST_INDENT;
      for (const item of value as readonly PyYamlValue[]) {
        this.writeIndent();
        this.writeIndicator('-', true, false, true);
        this.node(item, { root: false, mapping: false, simpleKey: false });
      }
      this.indent = saved;
      return;
    }
    if (value !== null && typeof value === 'object' && !(value instanceof PyFloat)) {
      const entries = Object.entries(value as Record<string, PyYamlValue>).filter(([, v]) => v !== undefined);
      if (this.sortKeys) entries.sort(([a], [b]) => comparePy(a, b));
      if (entries.length === 0) return this.emptyFlow('{', '}');
      const saved = this.indent;
      this.indent = saved === null ? 0 : saved + BEST_INDENT;
      for (const [key, v] of entries) {
        this.writeIndent();
        const chars = Array.from(key);
        const a = analyze(chars);
        // check_simple_key: the prepared tag `!!str` counts towards the 128-character limit.
        if (chars.length + 5 < 128 && !a.empty && !a.multiline) {
          this.scalar(key, true, { root: false, mapping: true, simpleKey: true });
          this.writeIndicator(':', false);
        } else {
          this.writeIndicator('?', true, false, true);
          this.scalar(key, true, { root: false, mapping: true, simpleKey: false });
          this.writeIndent();
          this.writeIndicator(':', true, false, true);
        }
        this.node(v, { root: false, mapping: true, simpleKey: false });
      }
      this.indent = saved;
      return;
    }
    this.scalarValue(value, ctx);
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true);
    this.writeIndicator(close, false);
  }

  private scalarValue(value: PyYamlValue, ctx: { root: boolean; mapping: boolean; simpleKey: boolean }): void {
    if (value === null || value === undefined) return this.scalar('null', false, ctx);
    if (typeof value === 'boolean') return this.scalar(value ? 'true' : 'false', false, ctx);
    if (typeof value === 'bigint') return this.scalar(value.toString(), false, ctx);
    if (value instanceof PyFloat) return this.scalar(floatText(value.value), false, ctx);
    if (typeof value === 'number') {
      return this.scalar(Number.isInteger(value) ? BigInt(value).toString() : floatText(value), false, ctx);
    }
    this.scalar(String(value), true, ctx);
  }

  /** expect_scalar: `isString` says the node's tag is `str` (else its text resolves implicitly). */
  private scalar(text: string, isString: boolean, ctx: { root: boolean; mapping: boolean; simpleKey: boolean }): void {
    const saved = this.indent;
    this.indent = saved === null ? BEST_INDENT : saved + BEST_INDENT;
    const chars = Array.from(text);
    const a = analyze(chars);
    const implicitPlain = !isString || !resolvesToNonString(text);
    const split = !ctx.simpleKey;
    if (implicitPlain && !(ctx.simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) {
      this.writePlain(chars, split, ctx.root);
    } else if (a.allowSingleQuoted && !(ctx.simpleKey && a.multiline)) {
      this.writeSingleQuoted(chars, split);
    } else {
      this.writeDoubleQuoted(chars, split);
    }
    this.indent = saved;
  }

  private writePlain(chars: readonly string[], split: boolean, root: boolean): void {
    if (root) this.openEnded = true;
    if (chars.length === 0) return;
    if (!this.whitespace) {
      this.column += 1;
      this.write(' ');
    }
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end]! : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.flush(chars, start, end);
          }
          start = end;
        }
      } else if (ch === undefined || ' \n\x85\u2028\u2029'.includes(ch)) {
        this.flush(chars, start, end);
        start = end;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
  }

  private flush(chars: readonly string[], start: number, end: number): void {
    if (start >= end) return;
    this.column += end - start;
    this.write(chars.slice(start, end).join(''));
  }

  private writeSingleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end]! : undefined;
      if (spaces) {
        if (ch === undefined || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
            this.writeIndent();
          } else {
            this.flush(chars, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (chars[start] === '\n') this.writeLineBreak();
          for (const br of chars.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === undefined || ' \n\x85\u2028\u2029'.includes(ch) || ch === "'") {
        this.flush(chars, start, end);
        start = end;
      }
      if (ch === "'") {
        this.column += 2;
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end]! : undefined;
      if (ch === undefined || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !(ch >= '\x20' && ch <= '\x7E')) {
        this.flush(chars, start, end);
        start = end;
        if (ch !== undefined) {
          const cp = ch.codePointAt(0)!;
          const data =
            ESCAPES[ch] !== undefined
              ? `\\${ESCAPES[ch]}`
              : cp <= 0xff
                ? `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`
                : cp <= 0xffff
                  ? `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`
                  : `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
          this.column += data.length;
          this.write(data);
          start = end + 1;
        }
      }
      if (end > 0 && end < chars.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        const data = `${chars.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.column += data.length;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === ' ') {
          this.column += 1;
          this.write('\\');
        }
      }
    }
    this.writeIndicator('"', false);
  }
}
