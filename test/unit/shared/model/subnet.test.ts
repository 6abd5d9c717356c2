import { describe, expect, it } from 'vitest';
import { networkOf, sameSubnet, vipSubnetProblem } from '../../../../shared/model/subnet.ts';

describe('subnet arithmetic', () => {
  it('IPv4 networks and membership', () => {
    expect(networkOf('10.77.0.1', 24)).toBe('10.77.0.0/24');
    expect(networkOf('192.168.5.100', 20)).toBe('192.168.0.0/20');
    expect(networkOf('10.1.2.3', 0)).toBe('0.0.0.0/0');
    expect(sameSubnet('10.77.0.1', '10.77.0.100', 24)).toBe(true);
    expect(sameSubnet('10.77.0.1', '192.168.5.100', 24)).toBe(false);
    expect(sameSubnet('10.77.0.1', '10.77.1.100', 24)).toBe(false);
    expect(sameSubnet('10.77.0.1', '10.77.1.100', 16)).toBe(true);
  });
  it('IPv6 networks (with :: and an IPv4 tail)', () => {
    expect(networkOf('fd00:1::5', 64)).toBe('fd00:1::/64');
    expect(networkOf('2001:db8::ffff:10.0.0.1', 120)).toBe('2001:db8::ffff:a00:0/120');
    expect(sameSubnet('fd00:1::1', 'fd00:1::ff', 64)).toBe(true);
    expect(sameSubnet('fd00:1::1', 'fd00:2::ff', 64)).toBe(false);
  });
  it('says nothing when it cannot tell (a name, or mixed families)', () => {
    expect(sameSubnet('director.example', '10.0.0.1', 24)).toBeUndefined();
    expect(sameSubnet('fd00::1', '10.0.0.1', 24)).toBeUndefined();
    expect(vipSubnetProblem('lvs-vip', '10.0.0.1', 24)).toBeUndefined();
  });
  it("names the VIP, the director's subnet and the prefix", () => {
    expect(vipSubnetProblem('192.168.5.100', '10.77.0.1', 24)).toMatch(/^VIP 192\.168\.5\.100 is not on the director's subnet 10\.77\.0\.0\/24 \(director 10\.77\.0\.1, prefix \/24\)/);
    expect(vipSubnetProblem('10.77.0.100', '10.77.0.1', 24)).toBeUndefined();
    expect(vipSubnetProblem('192.168.5.100', '10.77.0.1', 24, { director: 'lvs-dir' })).toContain('(director lvs-dir (10.77.0.1), prefix /24)');
  });
});
