// Starting the servers the HTTP suites compare: waiting for a port, and nginx's configuration.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
export function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve();
      });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** An nginx.conf in `dir` serving `root` on 127.0.0.1:`port`, one worker per core, as it is usually run. */
export function nginxConfig(dir: string, root: string, port: number): string {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes auto;\ndaemon off;\nmaster_process on;\nuser root;\npid ${dir}/nginx.pid;\nerror_log ${dir}/nginx-error.log warn;\n` +
    `events { worker_connections 1024; }\nhttp {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n  default_type application/octet-stream;\n` +
    `  client_body_temp_path ${dir}/ngx-body; proxy_temp_path ${dir}/ngx-proxy; fastcgi_temp_path ${dir}/ngx-fcgi; uwsgi_temp_path ${dir}/ngx-uwsgi; scgi_temp_path ${dir}/ngx-scgi;\n` +
    `  server { listen 127.0.0.1:${port}; root ${root}; location / { autoindex on; } }\n}\n`);
  return conf;
}
