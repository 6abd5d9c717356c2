/**
 * Importing an lvs.conf into a cluster profile (the app's Clusters › Import, from a file or from the director): what the
 * handler calls. A file a Windows editor saved is converted (CRLF → LF, BOM dropped) with a warning, since the profile is
 * written back as LF; then the file must be one the parser accepts (it means for the console what it means for
 * /bin/sh); then the variables become a profile on top of `base` (clusterFromDirectorConf), a UDP service other than
 * XDMCP getting the health check 'none' with a warning.
 */
import type { ClusterInput } from '../../../shared/model/cluster.ts';
import type { ConfClusterBase } from './conf-model.ts';
import { confVariables, parseLvsConf } from './conf-parse.ts';
import { importText } from './conf-text.ts';
import { clusterFromDirectorConf } from './director-conf.ts';

/** A profile imported from an lvs.conf, and what the user should know about how it was read. */
export interface ConfImport {
  cluster: ClusterInput;
  warnings: string[];
}

/**
 * Imports lvs.conf `text` (named `file` in messages) onto `base`. Throws AppError('INVALID_INPUT', 'FILE:LINE:COL: …')
 * for a file the console does not accept or values a profile cannot hold; nothing partial is returned.
 */
export function importLvsConf(text: string, file: string, base: ConfClusterBase): ConfImport {
  const { text: converted, warnings } = importText(text, file);
  const cluster = clusterFromDirectorConf(confVariables(parseLvsConf(converted, file)), base, warnings);
  return { cluster, warnings };
}
