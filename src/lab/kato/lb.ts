// The load balancer's nginx configuration: round-robin over the routers, TLS terminated here.

export interface LbConfig {
  routers: readonly string[];
  cert: string;
  key: string;
  pidFile: string;
  logDir: string;
  tempDir: string;
}

/**
 * A request that comes back to this nginx through its own pool (a 2.x LB whose own IP stayed in the
 * pool) is answered 502 at once, and proxy_next_upstream sends the original request to the next router.
 */
export function nginxConfig(c: LbConfig): string {
  const location = [
    '    location / {',
    '      if ($http_x_stackato_lb) { return 502; }',
    '      proxy_pass http://stackato_routers;',
    '      proxy_set_header Host $host;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '      proxy_set_header X-Stackato-LB $server_addr;',
    '      proxy_next_upstream error timeout http_502;',
    '      proxy_connect_timeout 5s;',
    '    }',
  ];
  return [
    '# Written by `kato node setup load_balancer` (stackplay lab): round-robin over the routers, SSL ends here.',
    'worker_processes 1;',
    `pid ${c.pidFile};`,
    `error_log ${c.logDir}/nginx-lb-error.log;`,
    'events { worker_connections 512; }',
    'http {',
    `  access_log ${c.logDir}/nginx-lb-access.log;`,
    `  client_body_temp_path ${c.tempDir}/body;`,
    `  proxy_temp_path ${c.tempDir}/proxy;`,
    `  fastcgi_temp_path ${c.tempDir}/fastcgi;`,
    `  uwsgi_temp_path ${c.tempDir}/uwsgi;`,
    `  scgi_temp_path ${c.tempDir}/scgi;`,
    '  upstream stackato_routers {',
    ...c.routers.map((ip) => `    server ${ip}:80;`),
    '  }',
    '  server {',
    '    listen 80;',
    ...location,
    '  }',
    '  server {',
    '    listen 443 ssl;',
    `    ssl_certificate ${c.cert};`,
    `    ssl_certificate_key ${c.key};`,
    ...location,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The routers a config file sends traffic to (for `kato info` and idempotence checks). */
export const routersIn = (conf: string): string[] =>
  [...conf.matchAll(/^\s*server (\d+\.\d+\.\d+\.\d+):80;/gm)].map((m) => m[1]!);
