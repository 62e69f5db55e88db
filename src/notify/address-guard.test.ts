import { describe, expect, it } from 'vitest';
import { isPrivateAddress, refusedAddress, refusedHost } from './address-guard.ts';
import { postWebhook } from './webhook.ts';

describe('webhook address guard', () => {
  it('refuses every non-public range, including IPv4 carried inside IPv6', () => {
    const refused: [string, RegExp][] = [
      ['127.0.0.1', /loopback/],
      ['0.0.0.0', /unspecified/],
      ['10.1.2.3', /private/],
      ['172.16.0.1', /private/],
      ['192.168.1.1', /private/],
      ['169.254.169.254', /linkLocal/],
      ['100.64.0.1', /carrierGradeNat/],
      ['224.0.0.1', /multicast/],
      ['255.255.255.255', /broadcast/],
      ['240.0.0.1', /reserved/],
      ['::', /unspecified/],
      ['::1', /unspecified|loopback/],
      ['fe80::1', /linkLocal/],
      ['fd00::1', /uniqueLocal/],
      ['ff02::1', /multicast/],
      ['::ffff:127.0.0.1', /loopback.*IPv4-mapped/],
      ['::ffff:a9fe:a9fe', /linkLocal.*IPv4-mapped/],
      ['::127.0.0.1', /loopback/],
      ['::7f00:1', /loopback.*IPv4-compatible/],
      ['::ffff:0:a00:1', /private.*IPv4-translated/],
      ['64:ff9b::7f00:1', /loopback.*NAT64/],
      ['64:ff9b::10.0.0.1', /private.*NAT64/],
      ['64:ff9b:1::1', /rfc6052/],
      ['2002:7f00:1::', /loopback.*6to4/],
      ['2002:a9fe:a9fe::1', /linkLocal.*6to4/],
      ['2001:0:4136:e378::1', /teredo/],
    ];
    for (const [address, reason] of refused) {
      expect(refusedAddress(address), address).toMatch(reason);
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '2606:4700::1111', '::ffff:93.184.216.34', '64:ff9b::5db8:d822', '2002:5db8:d822::1']) {
      expect(refusedAddress(address), address).toBeNull();
    }
  });

  it('refuses internal names, names that resolve to a refused address, and names that do not resolve', async () => {
    const dns: Record<string, string[]> = { 'public.test': ['93.184.216.34'], 'sneaky.test': ['93.184.216.34', '::ffff:10.0.0.1'], 'empty.test': [] };
    const resolve = async (name: string) => {
      if (!(name in dns)) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return dns[name]!;
    };
    expect(await refusedHost('public.test', resolve)).toBeNull();
    expect(await refusedHost('[2606:4700::1111]', resolve)).toBeNull();
    expect(await refusedHost('sneaky.test', resolve)).toMatch(/resolves to ::ffff:10\.0\.0\.1/);
    expect(await refusedHost('nowhere.test', resolve)).toMatch(/does not resolve/);
    expect(await refusedHost('empty.test', resolve)).toMatch(/does not resolve/);
    for (const name of ['metadata.google.internal', 'localhost', 'a.localhost', 'printer.local', 'router.home.arpa']) {
      expect(await refusedHost(name, resolve), name).toMatch(/local or internal/);
    }
    expect(await refusedHost('[::127.0.0.1]', resolve)).toMatch(/loopback/);
  });

  it('does not connect to a refused IP literal at delivery (Node would skip the lookup for it)', async () => {
    const outcome = await postWebhook({ url: 'https://[::127.0.0.1]:9/hook', body: '{}', headers: {}, timeoutMs: 1000, allowPrivateNetworks: false });
    expect(outcome).toEqual({ ok: false, statusCode: null, error: expect.stringMatching(/loopback.*not connecting/) });
  });
});
