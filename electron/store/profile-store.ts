/** Cluster profiles in the store document, validated with the shared clusterSchema on the way in and out. */
import { clusterSchema, describeIssues, type Cluster } from '../../shared/model/cluster.ts';
import type { DocAccess } from './doc-access.ts';
import type { InvalidProfile, ProfileStore } from './types.ts';

/** A ProfileStore over the document. */
export function createProfileStore(doc: DocAccess): ProfileStore {
  const parseAll = () => {
    const valid: Cluster[] = [];
    const invalid: InvalidProfile[] = [];
    const clusters = doc.read().clusters;
    for (const id of Object.keys(clusters).sort()) {
      const r = clusterSchema.safeParse(clusters[id]);
      if (!r.success) invalid.push({ id, problems: describeIssues(r.error) });
      else if (r.data.id !== id) invalid.push({ id, problems: [`id: stored under "${id}" but says "${r.data.id}"`] });
      else valid.push(r.data);
    }
    return { valid, invalid };
  };
  return {
    list: () => parseAll().valid,
    invalid: () => parseAll().invalid,
    get(id) {
      const raw = doc.read().clusters[id];
      if (raw === undefined) return undefined;
      const r = clusterSchema.safeParse(raw);
      return r.success && r.data.id === id ? r.data : undefined;
    },
    save(input) {
      const cluster = clusterSchema.parse(input);
      doc.update((d) => {
        d.clusters[cluster.id] = cluster;
      });
      return cluster;
    },
    delete(id) {
      return doc.update((d) => {
        if (!Object.hasOwn(d.clusters, id)) return false;
        delete d.clusters[id];
        return true;
      });
    },
  };
}
