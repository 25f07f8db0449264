/** Small readers shared by the in-memory searches of each entity. */
import type { Tag } from '../entities/tag.js';
import type { FieldValue } from './in-memory.js';

/** The last entry with the key (later entries win, as in a record built from the list). */
export function lastWithKey<E extends { readonly key: string }>(entries: readonly E[], key: string): E | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.key === key) return entries[i];
  return undefined;
}

/** `[v]`, or `[]` when v is undefined (the entity lacks the field). */
export function present(v: FieldValue | undefined): readonly FieldValue[] {
  return v === undefined ? [] : [v];
}

/** The value of a tag as field values: `[]` when the tag is absent. */
export function tagValue(tags: readonly Tag[], key: string): readonly FieldValue[] {
  return present(lastWithKey(tags, key)?.value);
}
