// Compatibility test: the official Azure SDK for JavaScript (@azure/identity,
// @azure/keyvault-keys) against a vaultsim testbed, with challenge resource
// verification ON and TLS verified against the testbed CA
// (NODE_EXTRA_CA_CERTS). Any divergence it exposes is a vaultsim bug.
//
// Needs GEOEKM_TESTBED_JSON (run_js_test.sh brings a testbed up and sets it).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const testbed = JSON.parse(fs.readFileSync(process.env.GEOEKM_TESTBED_JSON, 'utf8'));
// The IMDS host override the SDK honours (pod identity); read when the
// managed identity credential is built.
process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = `http://127.0.0.1:${testbed.login.managed_identity_port}`;
const { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } = require('@azure/identity');
const { KeyClient, CryptographyClient } = require('@azure/keyvault-keys');

const vault = (name) => testbed.vaults.find((v) => v.name === name);
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

// RFC 7638 thumbprint, as geoekm computes it (core/jwk_thumbprint.h).
function thumbprint(jwk) {
  const strip = (bytes) => {
    let b = Buffer.from(bytes);
    while (b.length > 1 && b[0] === 0) b = b.subarray(1);
    return b.toString('base64url');
  };
  const canonical = `{"e":"${strip(jwk.e)}","kty":"RSA","n":"${strip(jwk.n)}"}`;
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

const credential = new ClientSecretCredential(
  testbed.tenant,
  testbed.client_id,
  fs.readFileSync(testbed.client_secret_file, 'utf8').trim(),
  { authorityHost: testbed.login.url, disableInstanceDiscovery: true },
);
const east = new KeyClient(vault('eastus').url, credential);
const west = new KeyClient(vault('westus').url, credential);
const japan = new KeyClient(vault('japaneast').url, credential);
const runId = crypto.randomBytes(4).toString('hex');

test('the provisioned TDE key has one thumbprint in every vault', async () => {
  for (const client of [east, west, japan]) {
    const key = await client.getKey(testbed.key.name);
    assert.equal(key.keyType, 'RSA');
    assert.equal(thumbprint(key.key), testbed.key.thumbprint);
  }
  const e = await east.getKey(testbed.key.name);
  const w = await west.getKey(testbed.key.name);
  const j = await japan.getKey(testbed.key.name);
  assert.equal(e.properties.version, w.properties.version, 'restore keeps the version id');
  assert.notEqual(e.properties.version, j.properties.version, 'import creates a new version id');
});

test('create, get, list versions, backup, restore into the other US vault, rotate', async () => {
  const name = `js-compat-${runId}`;
  const created = await east.createRsaKey(name, { keySize: 2048 });
  assert.equal(created.name, name);
  assert.equal(created.keyType, 'RSA');
  assert.ok(created.id.startsWith(`${vault('eastus').url}/keys/${name}/`), created.id);

  const got = await east.getKey(name);
  assert.equal(got.properties.version, created.properties.version);
  assert.equal(thumbprint(got.key), thumbprint(created.key));

  const backup = await east.backupKey(name);
  assert.ok(backup instanceof Uint8Array && backup.length > 100);
  const restored = await west.restoreKeyBackup(backup);
  assert.equal(restored.name, name);
  assert.equal(restored.properties.version, created.properties.version);
  assert.equal(thumbprint(restored.key), thumbprint(created.key));
  assert.ok(restored.id.startsWith(vault('westus').url), restored.id);

  const rotated = await east.rotateKey(name);
  assert.notEqual(rotated.properties.version, created.properties.version);
  assert.notEqual(thumbprint(rotated.key), thumbprint(created.key));

  const versions = [];
  for await (const p of east.listPropertiesOfKeyVersions(name)) versions.push(p.version);
  assert.deepEqual(versions.sort(), [created.properties.version, rotated.properties.version].sort());

  const names = [];
  for await (const p of east.listPropertiesOfKeys()) names.push(p.name);
  assert.ok(names.includes(name) && names.includes(testbed.key.name), names.join(','));

  // A backup cannot cross geographies: the JP vault refuses it.
  await assert.rejects(japan.restoreKeyBackup(backup), (e) => e.statusCode === 400);
});

for (const algorithm of ['RSA-OAEP-256', 'RSA-OAEP']) {
  test(`wrapKey/unwrapKey with ${algorithm} through vaultsim`, async () => {
    const key = await east.getKey(testbed.key.name);
    const client = new CryptographyClient(key.id, credential);
    const dek = crypto.randomBytes(32);
    const wrapped = await client.wrapKey(algorithm, dek);
    assert.equal(wrapped.algorithm, algorithm);
    assert.equal(wrapped.result.length, 256);
    const unwrapped = await client.unwrapKey(algorithm, wrapped.result);
    assert.ok(Buffer.from(unwrapped.result).equals(dek));
    // The other US vault holds the same version: it unwraps the same bytes.
    const westKey = await west.getKey(testbed.key.name);
    const westClient = new CryptographyClient(westKey.id, credential);
    const again = await westClient.unwrapKey(algorithm, wrapped.result);
    assert.ok(Buffer.from(again.result).equals(dek));
  });
}

test('a DEK wrapped locally with the public key (OAEP-SHA256) unwraps in every vault', async () => {
  const key = await east.getKey(testbed.key.name);
  const publicKey = crypto.createPublicKey({
    key: { kty: 'RSA', n: b64url(key.key.n), e: b64url(key.key.e) },
    format: 'jwk',
  });
  const dek = crypto.randomBytes(32);
  const wrapped = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);
  for (const client of [east, west, japan]) {
    const k = await client.getKey(testbed.key.name);
    const c = new CryptographyClient(k.id, credential);
    const unwrapped = await c.unwrapKey('RSA-OAEP-256', wrapped);
    assert.ok(Buffer.from(unwrapped.result).equals(dek), k.id);
  }
});

test('a wrong client secret fails with the AADSTS error', async () => {
  const bad = new ClientSecretCredential(testbed.tenant, testbed.client_id, 'not-the-secret', {
    authorityHost: testbed.login.url,
    disableInstanceDiscovery: true,
  });
  await assert.rejects(new KeyClient(vault('eastus').url, bad).getKey(testbed.key.name), /AADSTS7000215/);
});

test('ClientCertificateCredential (client assertion, with and without x5c) gets a vault token', async () => {
  for (const sendCertificateChain of [false, true]) {
    const cert = new ClientCertificateCredential(
      testbed.tenant,
      testbed.client_id,
      { certificatePath: testbed.client_certificate_file },
      { authorityHost: testbed.login.url, disableInstanceDiscovery: true, sendCertificateChain },
    );
    const key = await new KeyClient(vault('japaneast').url, cert).getKey(testbed.key.name);
    assert.equal(thumbprint(key.key), testbed.key.thumbprint);
  }
});

test('ManagedIdentityCredential (IMDS, system- and user-assigned) gets a vault token', async () => {
  for (const mi of [new ManagedIdentityCredential(), new ManagedIdentityCredential({ clientId: testbed.login.managed_identity_client_id })]) {
    const key = await new KeyClient(vault('westus').url, mi).getKey(testbed.key.name);
    assert.equal(thumbprint(key.key), testbed.key.thumbprint);
  }
});
