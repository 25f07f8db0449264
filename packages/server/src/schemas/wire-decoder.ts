/**
 * The request decoder routes use: each schema compiled once into closures (the fast path),
 * falling back to wire-schema.ts's reference decoder for anything not plainly valid, so every
 * error is the reference decoder's, with MLflow's wording and field path.
 */
import { INT, INT32_MAX, INT32_MIN, SPECIAL_DOUBLES, decodeMessageReference, type Field, type WireIssue, type WireSchema, type WireSource } from './wire-schema.js';

// ---------------------------------------------------------------------------------------------
// `decodeObject` above is the reference decoder: it builds every field's path as it goes so
// that a failure can name it. On the hot path (a log-batch of 1000 metrics) nothing fails, so
// each schema is compiled once into closures that hold its field list, required flags and
// aliases, build no path strings, and give up (`BAIL`) at the first thing that is not plainly
// valid. A bail re-runs the reference decoder on the same input, which either reports the
// exact MLflow error with its path or (for anything the fast path declined to handle) returns
// the value. A fast-path result is only returned when it is the value the reference decoder
// would return; wire-schema.test.ts checks the two against each other.
// ---------------------------------------------------------------------------------------------

const BAIL: unique symbol = Symbol('bail');
type Bail = typeof BAIL;
/** A compiled decoder for one schema node: the decoded value, or BAIL. */
type FastDecoder = (value: unknown, source: WireSource) => unknown;

interface CompiledField {
  readonly name: string;
  readonly decode: FastDecoder;
  readonly required: boolean;
  /** `""` is a value here (an optional plain string), not "missing". */
  readonly keepsEmpty: boolean;
  /** The deprecated name also accepted for this field (`run_uuid` for `run_id`). */
  readonly alias: string | undefined;
}

const compiledValues = new WeakMap<WireSchema, FastDecoder>();
const compiledObjects = new WeakMap<WireSchema, (value: unknown, source: WireSource) => Record<string, unknown> | Bail>();

const hasOwn = Object.hasOwn;

function fastInteger(int32: boolean): FastDecoder {
  return (value) => {
    let n: number;
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return BAIL;
      n = value;
    } else if (typeof value === 'string') {
      const t = value.trim();
      if (!INT.test(t)) return BAIL;
      n = Number(t);
      if (!Number.isFinite(n)) return BAIL;
    } else {
      return BAIL;
    }
    if (int32 && (n < INT32_MIN || n > INT32_MAX)) return BAIL;
    return n;
  };
}

const fastDouble: FastDecoder = (value) => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[value]!;
    const t = value.trim();
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  return BAIL;
};

const fastString: FastDecoder = (value) => (typeof value === 'string' ? value : BAIL);

const fastExperimentId: FastDecoder = (value) =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : BAIL;

const fastBool: FastDecoder = (value) => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return BAIL;
};

function fastEnum(names: readonly string[]): FastDecoder {
  return (value) => {
    if (typeof value === 'string' && names.includes(value)) return value;
    const n = typeof value === 'number' ? value : typeof value === 'string' && INT.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= names.length) return names[n - 1];
    return BAIL;
  };
}

function compileScalar(schema: WireSchema): FastDecoder {
  switch (schema.type) {
    case 'string':
      if (schema.format === 'proto-enum') return fastEnum(schema.enum ?? []);
      return schema.format === 'experiment-id' ? fastExperimentId : fastString;
    case 'integer':
      return fastInteger(schema.format === 'int32');
    case 'number':
      return fastDouble;
    case 'boolean':
      return fastBool;
    default:
      return () => BAIL;
  }
}

function compileObject(schema: WireSchema): (value: unknown, source: WireSource) => Record<string, unknown> | Bail {
  const cached = compiledObjects.get(schema);
  if (cached) return cached;
  const required = new Set(schema.required ?? []);
  const aliasOf = new Map<string, string>();
  for (const [alias, target] of Object.entries(schema['x-aliases'] ?? {})) aliasOf.set(target, alias);
  const fields: CompiledField[] = Object.entries(schema.properties ?? {}).map(([name, fieldSchema]) => ({
    name,
    decode: compileValue(fieldSchema),
    required: required.has(name),
    keepsEmpty: fieldSchema.type === 'string' && fieldSchema.format !== 'proto-enum' && !required.has(name),
    alias: aliasOf.get(name),
  }));
  const count = fields.length;
  const decode = (value: unknown, source: WireSource): Record<string, unknown> | Bail => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return BAIL;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const field = fields[i]!;
      const name = field.name;
      let raw = hasOwn(input, name) ? input[name] : undefined;
      if (raw === undefined || raw === null || raw === '') {
        const alias = field.alias;
        if (alias !== undefined && hasOwn(input, alias)) raw = input[alias];
        if (raw === undefined || raw === null || (raw === '' && !field.keepsEmpty)) {
          if (field.required) return BAIL;
          continue;
        }
      }
      const decoded = field.decode(raw, source);
      if (decoded === BAIL) return BAIL;
      out[name] = decoded;
    }
    return out;
  };
  compiledObjects.set(schema, decode);
  return decode;
}

function compileValue(schema: WireSchema): FastDecoder {
  const cached = compiledValues.get(schema);
  if (cached) return cached;
  let decode: FastDecoder;
  if (schema.type === 'array') {
    const itemSchema = schema.items!;
    const item = compileValue(itemSchema);
    const absentIsMissing = itemSchema.type !== 'string';
    decode = (value, source) => {
      const list = Array.isArray(value) ? value : source === 'query' ? [value] : undefined;
      if (list === undefined) return BAIL;
      const n = list.length;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v: unknown = list[i];
        if (absentIsMissing && (v === undefined || v === null || v === '')) return BAIL;
        const decoded = item(v, source);
        if (decoded === BAIL) return BAIL;
        out.push(decoded);
      }
      return out;
    };
  } else {
    const inner = schema.type === 'object' ? compileObject(schema) : compileScalar(schema);
    // A scalar repeated in a query string (`?run_id=a&run_id=b`): Flask's `args.get` takes the first.
    decode = (value, source) => inner(source === 'query' && Array.isArray(value) ? value[0] : value, source);
  }
  compiledValues.set(schema, decode);
  return decode;
}

/**
 * Compiles a schema for {@link decodeMessage} ahead of the first request (it is otherwise
 * compiled on first use and cached per schema object).
 */
export function compileWireSchema(schema: WireSchema): void {
  compileObject(schema);
}

/**
 * Decodes one request message against its schema.
 *
 * @param data - the parsed JSON body, or Fastify's query object (strings and string arrays).
 *   `null`/`undefined` is the empty message.
 * @returns `{ value }`, a fresh object holding only the schema's fields, or `{ error }` with
 *   the first problem, in MLflow's wording.
 */
export function decodeMessage<T>(schema: Field<T>, data: unknown, source: WireSource): { value: T } | { error: WireIssue[] } {
  const fast = compileObject(schema)(data ?? {}, source);
  if (fast !== BAIL) return { value: fast as T };
  return decodeMessageReference(schema, data, source);
}
