import { parseArgs } from 'node:util';

import { ConfigError, loadConfig, loadDatabaseUrl } from './server/config.js';

const usage = `Usage: storefort <command> [options]

Commands:
  start [--tls-cert FILE --tls-key FILE]   migrate, seed an empty store and serve the shop
                                           (and the sandbox gateway when PAYMENT_PROVIDER=sandbox)
  import FILE.csv                          import a Shopify product CSV export
  gateway                                  serve only the sandbox payment gateway
  dev-cert [--out DIR]                     write a self-signed certificate for localhost
  migrate                                  apply pending database migrations and exit; reads
                                           only DATABASE_URL
  admin create --email E --name N          create an owner account for the admin; the password
                                           comes from STOREFORT_ADMIN_PASSWORD or a prompt on a
                                           terminal (storefort admin --help for more)
  audit-log verify                         check the admin audit log's hash chain; exits 1
                                           naming the first edited or deleted row

Configuration comes from environment variables; see the README.`;

/** Runs one command and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'import': {
        const { runImportCommand } = await import('./catalog/import.command.js');
        return await runImportCommand(rest, loadConfig());
      }
      case 'gateway': {
        const { runGatewayCommand } = await import('./payments/sandbox/server.js');
        return await runGatewayCommand(loadConfig());
      }
      case 'dev-cert': {
        const { runDevCertCommand } = await import('./integrity/dev-cert.js');
        return await runDevCertCommand(rest);
      }
      case 'migrate':
        return await migrate();
      case 'admin': {
        const { runAdminCommand } = await import('./admin/admin.command.js');
        return await runAdminCommand(rest, loadConfig());
      }
      case 'audit-log': {
        const { runAuditLogCommand } = await import('./admin/admin.command.js');
        // Only the database and the signing key matter, so no other production setting is needed.
        const dataDir = process.env.DATA_DIR ?? './data';
        return await runAuditLogCommand(rest, { databaseUrl: loadDatabaseUrl(), dataDir });
      }
      case undefined:
      case 'help':
      case '--help':
        console.log(usage);
        return command === undefined ? 1 : 0;
      default:
        console.error(`unknown command "${command}"\n\n${usage}`);
        return 1;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`storefort: configuration error: ${error.message}`);
      return 78;
    }
    throw error;
  }
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' } },
    strict: true,
  });
  const certPath = values['tls-cert'];
  const keyPath = values['tls-key'];
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigError('--tls-cert and --tls-key must be given together');
  }

  const config = loadConfig();
  const { startShop } = await import('./server/start.js');
  const running = await startShop(config, certPath && keyPath ? { certPath, keyPath } : undefined);

  console.log(`Storefort shop:        ${config.publicUrl.origin}`);
  console.log(`Admin (this machine):  ${config.adminUrl.origin}`);
  if (running.gateway) console.log(`Sandbox payment page:  ${config.gatewayUrl.origin}`);
  console.log(`Store API description: ${config.publicUrl.origin}/api/openapi.json`);

  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => {});
}

async function migrate(): Promise<number> {
  const databaseUrl = loadDatabaseUrl();
  const { openDatabase } = await import('./db/database.js');
  const { migrateToLatest } = await import('./db/migrate.js');
  const db = openDatabase(databaseUrl);
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
    return 0;
  } finally {
    await db.close();
  }
}
