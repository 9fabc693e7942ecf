import { describe, expect, it } from 'vitest';
import { isPrivateAddress, isPrivateHost } from '../../src/webhooks/address-policy.js';
import { showsAnswer } from '../../src/webhooks/known-receivers.js';

describe('which addresses a webhook may not reach by default', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    'fc00::1',
    'fdff:ffff::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fd00:ec2::254',
    '64:ff9b::7f00:1',
    '64:ff9b::169.254.169.254',
    '2002:7f00:1::1',
    '2002:c0a8:101::1',
    // IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and local-use NAT64
    '::127.0.0.1',
    '::7f00:1',
    '::ffff:0:127.0.0.1',
    '::ffff:0:a9fe:a9fe',
    '64:ff9b:1::7f00:1',
    '64:ff9b:1:abcd::1',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    'fbff::1',
    '2001:db8::1',
    '::8.8.8.8',
    '::ffff:0:8.8.8.8',
  ])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('knows localhost names without asking DNS, and lets other names through to the connect-time check', () => {
    for (const host of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', '127.0.0.1', '[::1]']) {
      expect(isPrivateHost(host), host).toBe(true);
    }
    for (const host of ['example.com', 'localhost.example.com', 'mylocalhost']) {
      expect(isPrivateHost(host), host).toBe(false);
    }
  });
});

describe("whose answers a webhook's test and log may show", () => {
  it('shows only the known chat services, over https on the default port', () => {
    for (const url of [
      'https://hooks.slack.com/services/T0/B0/x',
      'https://discord.com/api/webhooks/1/x',
      'https://contoso.webhook.office.com/webhookb2/x',
      'https://prod-01.westus.logic.azure.com/workflows/x',
    ]) {
      expect(showsAnswer(url), url).toBe(true);
    }
    for (const url of [
      'http://hooks.slack.com/services/x',
      'https://hooks.slack.com:8443/services/x',
      'https://hooks.slack.com.evil.example/x',
      'https://evil-discord.com/x',
      'https://internal.example/x',
    ]) {
      expect(showsAnswer(url), url).toBe(false);
    }
  });
});
