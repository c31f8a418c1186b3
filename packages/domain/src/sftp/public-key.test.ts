import { describe, expect, it } from 'vitest';
import { formatSftpPublicKey, parseSftpPublicKey } from './public-key.ts';
import { customerIdOfSftpUser, sftpUsername } from './username.ts';

// Made with ssh-keygen; the fingerprints are what `ssh-keygen -lf` printed for them.
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAq19M5TnwlUXuqVNL9rM84xvBw+w2drJnCWR4eFko2+ alice@laptop';
const ECDSA =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBL0MnaEHeqpzCHTuD0hDP2ahQ3ld2jTx4KHLSn5OwPmvxINnYX9Fq1MUA41BlJZXRo9uYAdkT3GONGJHu2eRE+c=';
const RSA_2048 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDigvOWHvOVyaLKCrLz1geh4Hn1+HMj1EnaDSSRYfB8HTp+gFtE2GAkVcdE/uyA/MnNpLZpDhcF37bWtQ4MNI3SgyxKmw/SJaOwlW11EFVzEA7mRRuRrmcRFNR03Dl/oHN0cXbWsTDu0BvjawsiEvcnF7zEjnky+7GAWCyzaw4M6ciEubkrrCU5tUYCTERAlKHaAwwwzKzndbZUzM4BYjg9lv9bFwpyeFmiSw0cgDCt2xE3fBN+cyTb0fNU/WnG2jFqndjljNfDSvDlhPvUIG4GUqANhwhNpNB0E1tsGG085+CdDuwEJ05X6XqyxSGuQEoFtSdOgbhbJdEYiJTrsrCB ci key';
const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7uOIR5P4mpO9kqQguM8OMvlHFV+OZuwzivwzzDQR8KZV5eAcLqDGACp6c2lvJbxpQHuot2PBzEnPwHBDf5GWTIQixFZoai5In9sULWAWLCIIR9pOZdh9/AO2yg3haENLQC4LZFPwyfK5JUvDKWTc6SdEyaBohCWOROEZPOHGqOw== small';

describe('parseSftpPublicKey', () => {
  it.each([
    [ED25519, 'ssh-ed25519', 'SHA256:YYJGtdUJXSN/VIGL3N0h6Gn+W/pApvZRbfVBhXEEiwE', 'alice@laptop', 256],
    [ECDSA, 'ecdsa-sha2-nistp256', 'SHA256:Us9bw1rGd0KsY/VQqrLMNqJN7C10PpfCrrnZ21WDlnY', '', 256],
    [RSA_2048, 'ssh-rsa', 'SHA256:rWzZHxQ4lbeL48WsEZ7ri82kuQYKzoj4Sh706lJSgoE', 'ci key', 2048],
  ])(
    'accepts %#: type, fingerprint as ssh-keygen prints it, comment, bits',
    (line, type, fp, comment, bits) => {
      const parsed = parseSftpPublicKey(`  ${line}\n`);
      expect(parsed).toMatchObject({ ok: true, key: { type, fingerprint: fp, comment, bits } });
      if (parsed.ok) expect(formatSftpPublicKey(parsed.key)).toBe(line.trim());
    },
  );

  const ed = ED25519.split(' ')[1]!;
  it.each([
    ['', /unsupported key type/],
    ['ssh-dss AAAAB3NzaC1kc3MAAACBAP', /unsupported key type/],
    [`from="10.0.0.1" ${ED25519}`, /options are not supported/],
    [RSA_1024, /at least 2048 bits \(this one has 1024\)/],
    ['ssh-ed25519 not*base64', /not base64/],
    [`ssh-ed25519 ${ed.slice(0, -8)}AAAAAAA=`, /malformed ssh-ed25519/],
    [`ssh-rsa ${ed}`, /not a ssh-rsa key/],
    [`ecdsa-sha2-nistp384 ${ECDSA.split(' ')[1]}`, /not a ecdsa-sha2-nistp384 key/],
    [`ssh-ed25519 ${ed} a\u0007b`, /control characters/],
    [`ssh-ed25519 ${ed} ${'x'.repeat(201)}`, /comment longer/],
    [`${ED25519}\n${ECDSA}`, /one key per entry/],
  ])('refuses %j', (line, reason) => {
    const parsed = parseSftpPublicKey(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('SFTP user names', () => {
  it('is c{customerId} both ways', () => {
    expect(sftpUsername(1001)).toBe('c1001');
    expect(customerIdOfSftpUser('c1001')).toBe(1001);
  });
  it.each(['1001', 'c', 'c01001', 'C1001', 'c1001 ', 'c1e3', 'c-1', 'c99999999999999999', 'root'])(
    'no customer for %j',
    (name) => expect(customerIdOfSftpUser(name)).toBeNull(),
  );
});
