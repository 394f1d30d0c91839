import type { Client } from '@opensearch-project/opensearch';
import { osCall } from './opensearch-call.ts';

type Properties = Record<string, Record<string, unknown>>;
interface Mappings {
  properties?: Properties;
}

/** Index names per put-mapping request: the path holds them, and OpenSearch caps its first line at 4 KiB. */
const INDICES_PER_REQUEST = 40;
const ANY_INDEX = { ignore_unavailable: true, allow_no_indices: true } as const;

/**
 * What an index made by an earlier version lacks of `wanted`: its absent properties, and absent sub-fields of
 * the ones it has (sent with the index's own definition of the field, so nothing it has changes). A field the
 * index has is never sent in the new form: OpenSearch refuses a whole put-mapping that would change a
 * parameter of an existing field (its type, `index`, `doc_values`), and new versions do change them (the
 * attributes' former flat_object; doc values a field no longer needs). Undefined when nothing is missing.
 */
export function mappingAdditions(existing: Properties, wanted: Properties): Properties | undefined {
  const additions: Properties = {};
  for (const [name, field] of Object.entries(wanted)) {
    const have = existing[name];
    if (have === undefined) {
      additions[name] = field;
      continue;
    }
    const haveFields = (have.fields ?? {}) as Properties;
    const wantFields = (field.fields ?? {}) as Properties;
    const missing = Object.entries(wantFields).filter(([sub]) => !Object.hasOwn(haveFields, sub));
    if (missing.length > 0 && have.type === field.type)
      additions[name] = { ...have, fields: { ...haveFields, ...Object.fromEntries(missing) } };
  }
  return Object.keys(additions).length > 0 ? additions : undefined;
}

/**
 * Gives every index matching `pattern` what it lacks of `properties` (mappingAdditions), one put-mapping per
 * set of indices that lack the same. Indices made by this version lack nothing and are left alone.
 */
export async function extendIndexMappings(
  client: Client,
  { pattern, properties }: { pattern: string; properties: Properties },
  signal?: AbortSignal,
): Promise<void> {
  const res = await osCall<Record<string, { mappings?: Mappings }>>(
    () => client.indices.getMapping({ index: pattern, ...ANY_INDEX }),
    signal,
  );
  const byAdditions = new Map<string, string[]>();
  for (const [index, { mappings }] of Object.entries(res.body)) {
    const additions = mappingAdditions(mappings?.properties ?? {}, properties);
    if (!additions) continue;
    const key = JSON.stringify(additions);
    byAdditions.set(key, [...(byAdditions.get(key) ?? []), index]);
  }
  for (const [key, indices] of byAdditions) {
    for (let i = 0; i < indices.length; i += INDICES_PER_REQUEST) {
      const index = indices.slice(i, i + INDICES_PER_REQUEST).join(',');
      await osCall(
        () => client.indices.putMapping({ index, body: { properties: JSON.parse(key) }, ...ANY_INDEX }),
        signal,
      );
    }
  }
}
