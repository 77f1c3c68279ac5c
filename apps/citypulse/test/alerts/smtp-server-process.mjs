// A real SMTP server process for the e-mail channel tests (smtp-server, from the nodemailer
// project): listens on an ephemeral loopback port, requires the login given in argv (user,
// password), and writes one JSON line per received message to stdout. The first line is
// {"port": N}. STARTTLS is off: its self-signed certificate would fail nodemailer's verification.
import { SMTPServer } from 'smtp-server';

const [user, password] = process.argv.slice(2);
const server = new SMTPServer({
  authOptional: false,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) return callback(null, { user });
    callback(Object.assign(new Error('invalid login'), { responseCode: 535 }));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const message = {
        from: session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        user: session.user,
        raw,
      };
      process.stdout.write(`${JSON.stringify(message)}\n`);
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: server.server.address().port })}\n`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
