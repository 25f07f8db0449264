/**
 * Request schemas with MLflow's proto semantics, and the one decoder that checks them.
 *
 * A schema is a plain JSON Schema object (type, properties, required, items, enum) whose
 * `format` says which proto scalar a field is: `int64`, `int32`, `double`, `experiment-id`
 * (a string that may arrive as a JSON integer) or `proto-enum` (a name, or its proto number).
 * The builders in {@link w} produce such objects and carry the decoded TypeScript type, so a
 * route's `Body`/`Querystring` type comes from the same object Fastify validates with.
 *
 * {@link decodeMessage} implements ref §1.1: unknown fields dropped, `null` and `""` count as
 * missing, int64 as numbers or numeric strings, doubles also as "NaN"/"Infinity"/"-Infinity",
 * enums by name or number, `run_uuid` as an alias of `run_id`; query-string input (every value
 * a string, repeated keys for lists) is read with the same rules. Failures use MLflow's wording
 * from `@lablog/tracking` (`missingValueMessage`, `invalidValueMessage`).
 */
import { invalidValueMessage, missingValueMessage } from '@lablog/tracking';

/** The JSON Schema subset lablog's request schemas use. */
export interface WireSchema {
  readonly type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly format?: 'int64' | 'int32' | 'double' | 'experiment-id' | 'proto-enum';
  readonly properties?: Readonly<Record<string, WireSchema>>;
  readonly required?: readonly string[];
  readonly items?: WireSchema;
  readonly enum?: readonly string[];
  /** Deprecated field names accepted for another field, e.g. `{ run_uuid: 'run_id' }`. */
  readonly 'x-aliases'?: Readonly<Record<string, string>>;
}

/** A schema that also records (as a phantom type) what it decodes to. */
export type Field<T> = WireSchema & { readonly __decoded?: T };

/** The decoded TypeScript type of a {@link Field}. */
export type Infer<F> = F extends Field<infer T> ? T : never;

type Props = Record<string, Field<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] };
/** The decoded shape of a message: required fields present, the others optional. */
export type MessageOf<P extends Props, R extends keyof P> = Simplify<
  { [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }
>;

/** Schema builders, one per proto field kind. */
export const w = {
  string: (): Field<string> => ({ type: 'string' }),
  /** `experiment_id`: a string, or a JSON integer turned into one (`_stringify_all_experiment_ids`). */
  experimentId: (): Field<string> => ({ type: 'string', format: 'experiment-id' }),
  int64: (): Field<number> => ({ type: 'integer', format: 'int64' }),
  int32: (): Field<number> => ({ type: 'integer', format: 'int32' }),
  double: (): Field<number> => ({ type: 'number', format: 'double' }),
  bool: (): Field<boolean> => ({ type: 'boolean' }),
  /** A proto enum: its names in proto-number order (the first is number 1). */
  enum: <E extends string>(names: readonly E[]): Field<E> => ({ type: 'string', format: 'proto-enum', enum: names }),
  array: <T>(items: Field<T>): Field<T[]> => ({ type: 'array', items }),
  message: <P extends Props, R extends keyof P & string = never>(
    properties: P,
    required: readonly R[] = [],
    aliases?: Readonly<Record<string, keyof P & string>>,
  ): Field<MessageOf<P, R>> => {
    const schema: { -readonly [K in keyof WireSchema]: WireSchema[K] } = { type: 'object', properties, required };
    if (aliases) schema['x-aliases'] = aliases;
    return schema;
  },
};

/** One problem found by {@link decodeMessage}, shaped like an Ajv error so Fastify carries it as `error.validation`. */
export interface WireIssue {
  readonly keyword: 'required' | 'type';
  /** JSON pointer of the field, e.g. `/metrics/0/value`. */
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: { readonly path: string };
  /** MLflow's wording, ready to send. */
  readonly message: string;
}

/** Marks an object decoded from a JSON body that stands in for a GET's query string. */
export const FROM_JSON_BODY: unique symbol = Symbol.for('@lablog/server:from-json-body');

/** Where the values come from: typed JSON, or a query string (all strings, repeated keys). */
export type WireSource = 'json' | 'query';

class Issue extends Error {
  constructor(readonly issue: WireIssue) {
    super(issue.message);
  }
}

function pointer(path: string): string {
  return path === '' ? '' : '/' + path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/');
}

function missing(path: string): Issue {
  const message = missingValueMessage(path);
  return new Issue({ keyword: 'required', instancePath: pointer(path), schemaPath: '#/required', params: { path }, message });
}

const MAX_SHOWN = 200;

function jsType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function invalid(path: string, value: unknown, expected: string): Issue {
  let shown: unknown = value;
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (text.length > MAX_SHOWN) shown = text.slice(0, MAX_SHOWN) + '…';
  const hint = `Hint: Value was of type '${jsType(value)}', expected ${expected}. See the API docs for more information about request parameters.`;
  const message = invalidValueMessage(path, shown, hint);
  return new Issue({ keyword: 'type', instancePath: pointer(path), schemaPath: '#/type', params: { path }, message });
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Numeric text of an integer (for int64/int32 values given as strings). */
export const INT = /^-?\d+$/;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/** The strings MLflow accepts for non-finite doubles. */
export const SPECIAL_DOUBLES: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function decodeInteger(schema: WireSchema, value: unknown, path: string): number {
  let n: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && INT.test(value.trim())) n = Number(value.trim());
  const int32 = schema.format === 'int32';
  if (n === undefined || !Number.isFinite(n) || (int32 && (n < INT32_MIN || n > INT32_MAX))) {
    throw invalid(path, value, int32 ? 'a 32-bit integer' : 'a 64-bit integer');
  }
  return n;
}

function decodeDouble(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[value]!;
    const t = value.trim();
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  throw invalid(path, value, 'a double');
}

function decodeScalar(schema: WireSchema, value: unknown, path: string): unknown {
  switch (schema.type) {
    case 'string':
      if (schema.format === 'proto-enum') {
        const names = schema.enum ?? [];
        if (typeof value === 'string' && names.includes(value)) return value;
        const n = typeof value === 'number' ? value : typeof value === 'string' && INT.test(value) ? Number(value) : NaN;
        if (Number.isInteger(n) && n >= 1 && n <= names.length) return names[n - 1];
        throw invalid(path, value, `one of ${names.join(', ')}`);
      }
      if (typeof value === 'string') return value;
      if (schema.format === 'experiment-id' && typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      throw invalid(path, value, 'a string');
    case 'integer':
      return decodeInteger(schema, value, path);
    case 'number':
      return decodeDouble(value, path);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw invalid(path, value, 'true or false');
    default:
      throw invalid(path, value, schema.type);
  }
}

function decodeValue(schema: WireSchema, value: unknown, path: string, source: WireSource): unknown {
  if (schema.type === 'array') {
    const items = schema.items!;
    const list = Array.isArray(value) ? value : source === 'query' ? [value] : undefined;
    if (list === undefined) throw invalid(path, value, 'a list');
    const out: unknown[] = [];
    list.forEach((item, i) => {
      const p = `${path}[${i}]`;
      if (isAbsent(item) && items.type !== 'string') throw missing(p);
      out.push(decodeValue(items, item, p, source));
    });
    return out;
  }
  // A scalar repeated in a query string (`?run_id=a&run_id=b`): Flask's `args.get` takes the first.
  const scalar = source === 'query' && Array.isArray(value) ? value[0] : value;
  if (schema.type === 'object') return decodeObject(schema, scalar, path, source);
  return decodeScalar(schema, scalar, path);
}

function decodeObject(schema: WireSchema, value: unknown, path: string, source: WireSource): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path || 'request', value, 'a JSON object');
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  const aliasOf = new Map<string, string>();
  for (const [alias, target] of Object.entries(schema['x-aliases'] ?? {})) aliasOf.set(target, alias);
  for (const [name, fieldSchema] of Object.entries(schema.properties ?? {})) {
    const p = path === '' ? name : `${path}.${name}`;
    let raw = Object.hasOwn(input, name) ? input[name] : undefined;
    const alias = aliasOf.get(name);
    if (isAbsent(raw) && alias !== undefined && Object.hasOwn(input, alias)) raw = input[alias];
    // "" is a value for an optional plain string (a param logged as ""), and missing otherwise.
    const keepsEmpty = raw === '' && fieldSchema.type === 'string' && fieldSchema.format !== 'proto-enum' && !required.has(name);
    if (isAbsent(raw) && !keepsEmpty) {
      if (required.has(name)) throw missing(p);
      continue;
    }
    out[name] = decodeValue(fieldSchema, raw, p, source);
  }
  return out;
}

/**
 * Decodes one request message against its schema, with the reference decoder only (no
 * compiled fast path): the decoder whose errors name MLflow's field paths. Routes use
 * `decodeMessage` (wire-decoder.ts), which falls back to this one.
 */
export function decodeMessageReference<T>(schema: Field<T>, data: unknown, source: WireSource): { value: T } | { error: WireIssue[] } {
  try {
    return { value: decodeObject(schema, data ?? {}, '', source) as T };
  } catch (e) {
    if (e instanceof Issue) return { error: [e.issue] };
    throw e;
  }
}

