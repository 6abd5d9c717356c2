import { describe, expect, it } from 'vitest';
import { parseIpvsadmList } from '../../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { tableFromList, type DirectorState } from '../../../../electron/services/director-observe.ts';
import { driftOf } from '../../../../electron/app/status-mapping.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

// rs1 was drained: disabled in the profile, at weight 0 in the table
const cluster = labCluster({ 0: { enabled: false } });

/** A status-mode observation of this `ipvsadm -L -n` listing (ipvsadm 1.31's layout). */
function observed(listing: string): DirectorState {
  const list = parseIpvsadmList(listing);
  return { label: 'director 10.77.0.1', table: tableFromList('director 10.77.0.1', list), addresses: [], sysctls: {}, list };
}

const head = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
const dest = (a: string, w: number, act: number, inact: number) => `  -> ${a.padEnd(28)}Masq    ${String(w).padEnd(6)} ${String(act).padEnd(10)} ${inact}\n`;

describe('drift', () => {
  it('a drained realserver with connections left is "draining", without them "extra"; a weight still up is "extra" too', () => {
    const listing =
      head +
      'TCP  10.77.0.100:23 wlc\n' + dest('10.77.0.11:23', 0, 2, 1) + dest('10.77.0.12:23', 1, 3, 0) + dest('10.77.0.13:23', 1, 0, 0) +
      'UDP  10.77.0.100:177 wlc persistent 360\n' + dest('10.77.0.11:177', 0, 0, 0) + dest('10.77.0.12:177', 1, 0, 0) + dest('10.77.0.13:177', 1, 0, 0);
    expect(driftOf(cluster, profileResolver(cluster), observed(listing))).toEqual([
      { kind: 'draining', what: '-d -t 10.77.0.100:23 -r 10.77.0.11:23', detail: 'weight 0, 3 connections left: deleted once they are gone' },
      { kind: 'extra', what: '-d -u 10.77.0.100:177 -r 10.77.0.11:177', detail: 'the profile has no enabled realserver 10.77.0.11:177 in udp 10.77.0.100:177: delete it' },
    ]);
    const notDrained = listing.replace(dest('10.77.0.11:23', 0, 2, 1), dest('10.77.0.11:23', 1, 2, 1));
    expect(driftOf(cluster, profileResolver(cluster), observed(notDrained)).map((d) => d.kind)).toEqual(['extra', 'extra']);
  });

  it('another VIP\'s services are "foreign": listed as someone else\'s, never an extra to delete', () => {
    const mine = 'TCP  10.77.0.100:23 wlc\n' + dest('10.77.0.12:23', 1, 0, 0) + dest('10.77.0.13:23', 1, 0, 0) + 'UDP  10.77.0.100:177 wlc persistent 360\n' + dest('10.77.0.12:177', 1, 0, 0) + dest('10.77.0.13:177', 1, 0, 0);
    const theirs = 'TCP  10.77.0.101:23 wlc\n' + dest('10.77.0.11:23', 1, 4, 0) + dest('10.77.0.12:23', 0, 0, 0);
    const drift = driftOf(cluster, profileResolver(cluster), observed(head + mine + theirs));
    expect(drift).toEqual([{ kind: 'foreign', what: 'tcp 10.77.0.101:23', detail: "not on this profile's VIP 10.77.0.100: another cluster's (or set by hand); left alone" }]);
  });
});
