// First: sizes libuv's thread pool before anything can queue work on it.
import './thread-pool';

import { Logger } from '@nestjs/common';

import { ConfigError, loadConfig } from '@app/config';

import { createApp } from './create-app';

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  new Logger('Server').log(
    `issuer ${config.issuer.url}, listening on ${config.http.host}:${config.http.port}`,
  );
}

bootstrap().catch((error: unknown) => {
  // CONTRACT §2: one line per bad variable, exit 1, no stack trace.
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`configuration error: ${problem}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`start-up failed: ${message.split('\n')[0]}\n`);
  }
  process.exit(1);
});
