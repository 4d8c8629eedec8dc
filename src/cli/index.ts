/**
 * The commander program. Command files are thin and imported lazily, so `--help` and `--version`
 * start fast. Every error ends as one paragraph on stderr and a documented exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, SessionAuditError, type ExitCodeValue } from '../errors.js';
import { toolVersion } from '../version.js';

const FORMATS = ['terminal', 'json'] as const;

const EXIT_CODES = `
Exit codes:
  0  the gate passed (no finding at or above --fail-on, score not below --min-score,
     no check that ended in error)
  1  the gate failed
  2  usage or configuration error (bad flag, invalid config file, password variable not set,
     unreadable --ca file, report file that cannot be written)
  3  the audit could not run (target unreachable, login failed, or the logged-in check
     cannot tell a logged-in browser from a logged-out one)`;

const EXAMPLES = `
Examples:
  # See it work: audit the embedded, deliberately vulnerable demo app (grades F, exits 1)
  $ session-audit demo
  $ session-audit demo --fixed            # the hardened twin, over HTTPS (grades A+)
  $ session-audit demo --prove            # also forge a cookie with the demo's 'keyboard cat' secret

  # A JSON login API, password from the environment (never a flag)
  $ export SESSION_AUDIT_PASSWORD='…'
  $ session-audit https://staging.example.test --login /api/login --username alice@example.test \\
      --auth-check /api/me --logout /api/logout

  # An HTML login form with a CSRF token, gate CI on medium findings, JSON report to a file
  $ session-audit https://staging.example.test --login /login --login-type form \\
      --username alice --auth-check /account --logout /logout --fail-on medium -o report.json --format json

  # Everything from a config file (flags override it)
  $ session-audit --config session-audit.config.json`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function outputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'report format (default: json when -o ends in .json, else terminal)').choices(FORMATS))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'fail the gate on a finding at or above this severity (default: high)').choices(['critical', 'high', 'medium', 'low', 'none']))
    .option('--min-score <0-100>', 'fail the gate when the score is below this')
    .option('--no-color', 'plain output without colors (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('--verbose', 'log every request (tokens masked) to stderr');
}

export function buildProgram(setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command();
  program
    .name('session-audit')
    .description('Audit how a running web deployment manages login sessions, from the outside: cookie attributes, session fixation, logout revocation, token strength (weak signing secrets, JWT flaws, client-side state, ID entropy). Prints a scored report.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run session-audit --help for usage)')
    .addHelpText('after', `${EXAMPLES}\n${EXIT_CODES}\n`)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const audit = program
    .command('audit [url]', { isDefault: true })
    .description('audit a target (the default command: "session-audit <url>" is the same as "session-audit audit <url>")')
    .option('-c, --config <file>', 'JSON config file (flags override its values)')
    .option('--login <path>', 'login endpoint, e.g. /api/login or /login')
    .addOption(new Option('--login-type <type>', 'json: POST a JSON body; form: fetch the page and submit its form (CSRF included)').choices(['json', 'form']))
    .option('--username <user>', 'the account to log in as')
    .option('--password-env <VAR>', 'environment variable holding the password (default SESSION_AUDIT_PASSWORD)')
    .option('--auth-check <path>', 'a URL only a logged-in user gets 200 from, e.g. /me')
    .option('--logout <path>', 'logout endpoint (POST by default)')
    .option('--session-cookie <name>', 'a hint: the session cookie is otherwise found by behaviour')
    .option('--timeout <duration>', 'per-request timeout, e.g. 10s, 1500ms (default 10s)')
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable)', collect)
    .option('--ca <file>', 'PEM file of a CA to trust (self-signed staging certificates)')
    .option('--insecure', 'do not verify TLS certificates (the report says so)')
    .option('--show-secrets', 'show session token values unmasked in the report (passwords are never shown)')
    .option('--prove', 'when a weak signing secret is found, forge a cookie with it and send it once to prove the server accepts it')
    .option('--wordlist <file>', 'extra candidate signing secrets, one per line, tried after the built-in list')
    .option('--entropy-samples <n>', 'session IDs to collect for the entropy estimate (default 20; 0 turns it off)');
  outputOptions(audit)
    .addHelpText('after', `${EXAMPLES}\n${EXIT_CODES}\n`)
    .action(async (url: string | undefined, opts: Record<string, unknown>) => {
      const { auditCommand } = await import('./commands/audit.js');
      setExit(await auditCommand(url, opts as never));
    });

  outputOptions(program.command('demo').description('start the embedded demo app on 127.0.0.1, audit it, print the report, stop it'))
    .option('--fixed', 'audit the hardened variant (HTTPS with a self-signed certificate trusted through --ca)', false)
    .option('--prove', 'forge a cookie with a found weak secret and send it once')
    .option('--entropy-samples <n>', 'session IDs to collect for the entropy estimate (default 20; 0 turns it off)')
    .action(async (opts: Record<string, unknown>) => {
      const { demoCommand } = await import('./commands/demo.js');
      setExit(await demoCommand(opts as never));
    });

  program
    .command('rules')
    .description('list every rule: id, default severity, title')
    .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'json']).default('terminal'))
    .action(async (opts: { format: 'terminal' | 'json' }) => {
      const { rulesCommand } = await import('./commands/rules.js');
      setExit(await rulesCommand(opts));
    });

  return program;
}

function oneParagraph(message: string): string {
  return message.trim();
}

export async function main(argv: string[]): Promise<ExitCodeValue> {
  // A reader that went away (`| head`) is not an error of ours.
  // The rest of the report is dropped; the exit code still says what the gate decided.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  let code: ExitCodeValue = ExitCode.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage; // commander already printed the message
    }
    if (err instanceof SessionAuditError) {
      process.stderr.write(`session-audit: ${oneParagraph(err.message)}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`session-audit: internal error: ${message}\nThis is a bug in session-audit; please report it (set SESSION_AUDIT_DEBUG=1 for details).\n`);
    if (process.env.SESSION_AUDIT_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return ExitCode.internal;
  }
}
