// Stand-ins for Stackato daemons, run as `kato __serve router|mbus`: a router that answers every HTTP
// request with its node's name, and a message bus that speaks enough NATS for a client to connect.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function serveRouter(port: number, name: string): void {
  const server = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-stackato-router': name, connection: 'close' });
    res.end(`${name}\n`);
    req.resume();
  });
  server.keepAliveTimeout = 1000;
  server.listen(port, '0.0.0.0');
}

/** NATS greets with INFO and answers PING with PONG; everything else is accepted and ignored. */
function serveMbus(port: number, name: string): void {
  const info = JSON.stringify({
    server_id: `lab-${name}`,
    version: '0.5.0-lab',
    host: '0.0.0.0',
    port,
    auth_required: false,
    max_payload: 1048576,
  });
  const server = createTcpServer((sock) => {
    sock.setNoDelay(true);
    sock.write(`INFO ${info}\r\n`);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (/^PING\b/i.test(line)) sock.write('PONG\r\n');
        else if (/^CONNECT\b/i.test(line)) sock.write('+OK\r\n');
      }
      if (buf.length > 65536) sock.destroy();
    });
    sock.on('error', () => sock.destroy());
  });
  server.listen(port, '0.0.0.0');
}

export function serve(args: readonly string[]): void {
  const [what] = args;
  const port = Number(option(args, 'port'));
  const name = option(args, 'name') ?? 'node';
  process.title = `kato-lab-${what}`;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
  if (what === 'router') serveRouter(port, name);
  else if (what === 'mbus') serveMbus(port, name);
  else {
    process.stderr.write(`unknown server ${String(what)}\n`);
    process.exit(2);
  }
}
