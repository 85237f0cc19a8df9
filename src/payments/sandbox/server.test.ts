import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { freePort } from '../../../test/support/payments.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { buildGatewayApp, runGatewayCommand, startGateway } from './server.js';

const root = join(import.meta.dirname, '..', '..', '..');
const secret = 'a-shared-secret-of-at-least-32-characters';

const productionConfig = () =>
  loadConfig({
    NODE_ENV: 'production',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    PUBLIC_URL: 'https://shop.example',
    GATEWAY_URL: 'https://pay.example',
  });

/** Runs `storefort gateway` from the TypeScript sources in a child process. */
function spawnGatewayCommand(env: Record<string, string>) {
  const script =
    "const { main } = await import('./src/cli.ts'); process.exitCode = await main(['gateway']);";
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('sandbox gateway server', () => {
  it('rejects building with NODE_ENV=production', async () => {
    await assert.rejects(buildGatewayApp({ config: productionConfig(), secret }), (error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /does not run with NODE_ENV=production/);
      return true;
    });
  });

  it('rejects start and run with NODE_ENV=production', async () => {
    const config = productionConfig();

    await assert.rejects(
      startGateway(config, { signingKey: Buffer.from(secret), sandboxGatewaySecret: secret }),
      ConfigError,
    );
    await assert.rejects(runGatewayCommand(config), ConfigError);
  });

  it('listens on 127.0.0.1 at GATEWAY_PORT', async () => {
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      GATEWAY_PORT: String(port),
      GATEWAY_URL: `http://127.0.0.1:${port}`,
    });

    const app = await startGateway(config, {
      signingKey: Buffer.from(secret),
      sandboxGatewaySecret: secret,
    });
    try {
      const address = app.server.address();
      assert.ok(address);
      assert.ok(typeof address === 'object');
      assert.equal(address.address, '127.0.0.1');
      assert.equal(address.port, port);
      const response = await fetch(`http://127.0.0.1:${port}/pay/AAAAAAAAAAAAAAAAAAAAAA`);
      assert.equal(response.status, 404);
    } finally {
      await app.close();
    }
  });

  it('runs as a command until SIGTERM and prints its URL', async () => {
    const port = await freePort();
    const child = spawnGatewayCommand({
      NODE_ENV: 'test',
      GATEWAY_PORT: String(port),
      GATEWAY_URL: `http://127.0.0.1:${port}`,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));

    while (!output.includes('\n')) await once(child.stdout, 'data');
    const response = await fetch(`http://127.0.0.1:${port}/nowhere`);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');

    assert.equal(output.trim(), `Sandbox payment gateway: http://127.0.0.1:${port}`);
    assert.equal(response.status, 404);
    assert.equal(code, 0);
  });

  it('exits non-zero with a clear message under NODE_ENV=production', async () => {
    const child = spawnGatewayCommand({
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PUBLIC_URL: 'https://shop.example',
      GATEWAY_URL: 'https://pay.example',
      SECRET_KEY: 'k'.repeat(32),
      SANDBOX_GATEWAY_SECRET: 's'.repeat(32),
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));

    const [code] = await once(child, 'exit');

    assert.equal(code, 78);
    assert.match(errors, /sandbox payment gateway does not run with NODE_ENV=production/);
  });
});
