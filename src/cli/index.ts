/**
 * The commander program. Command files are thin and imported lazily, so `--help` and `--version`
 * start fast. Every error ends as one paragraph on stderr and a documented exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, SessionAuditError, type ExitCodeValue } from '../errors.js';
import { toolVersion } from '../version.js';

import { GRADES } from '../report/score.js';

const EXIT_CODES = `
Exit codes:
  0  the gate passed (no error-level finding — at or above --fail-on, or asserted "error" —
     that is not ignored or in the --baseline; score and grade not below --min-score /
     --min-grade; no check that ended in error)
  1  the gate failed
  2  usage or configuration error (bad flag, invalid config file, password variable not set,
     unreadable --ca/--cert/--key file, plain http:// off loopback without --allow-http,
     report or HAR file that cannot be written, unreadable --baseline / --template /
     --from-evidence, SARIF with no repository file to point at, HTTPS_PROXY that is not a URL)
  3  the audit could not run (target unreachable, DNS or TLS failure, login failed, a limit
     reached before a session existed, or the logged-in check cannot tell a logged-in browser
     from a logged-out one), or the password-change probe could not restore the original
     password (the message says where the temporary one is)
  130 interrupted (Ctrl-C or SIGTERM): the report of what was gathered was written, marked
     incomplete; a password changed by the audit is restored first; a second Ctrl-C exits at
     once without a report (except while that password is being restored)`;

const EXAMPLES = `
Examples:
  # See it work: audit the embedded, deliberately vulnerable demo app (grades F, exits 1)
  $ session-audit demo
  $ session-audit demo --fixed            # the hardened twin, over HTTPS (grades A: the opt-in checks do not run)
  $ session-audit demo --prove            # also forge a cookie with the demo's 'keyboard cat' secret

  # A JSON login API, password from the environment (never a flag)
  $ export SESSION_AUDIT_PASSWORD='…'
  $ session-audit https://staging.example.test --login /api/login --username alice@example.test \\
      --auth-check /api/me --logout /api/logout

  # An HTML login form with a CSRF token, gate CI on medium findings, JSON report to a file
  $ session-audit https://staging.example.test --login /login --login-type form \\
      --username alice --auth-check /account --logout /logout --fail-on medium -o report.json --format json

  # Production: paced, bounded, watched through Burp, with an HTTP trace for the bug report
  $ session-audit https://www.example.test --login /login --login-type form --username alice \\
      --auth-check /account --rate 2 --deadline 5m --proxy http://127.0.0.1:8080 --ca burp-ca.pem \\
      --har trace.har

  # Password from a secret manager on stdin instead of the environment
  $ vault kv get -field=password secret/staging | session-audit --config audit.json --password-stdin

  # Everything from a config file (flags override it)
  $ session-audit --config session-audit.config.json

  # CI: SARIF for code scanning, Markdown for the job summary, JUnit for the test tab, one run
  $ session-audit --config session-audit.config.json --output sarif=session-audit.sarif \\
      --output markdown=summary.md --output junit=junit.xml --save-evidence evidence/

  # Re-render and re-score saved evidence offline (no target, no password)
  $ session-audit --from-evidence evidence/ --config session-audit.config.json --format html -o report.html`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The lifetime flags, shared by audit and demo. */
function lifetimeOptions(cmd: Command): Command {
  return cmd
    .option('--expiry-wait <duration>', 'time the expiry, idle- and absolute-timeout probes may wait, e.g. 35m (default 0s: those probes are skipped)')
    .option('--idle-timeout <duration>', 'policy: sessions must end after this long without a request (default 30m)')
    .option('--max-lifetime <duration>', 'policy: sessions must end this long after login, however active (default 24h)');
}

function outputOptions(cmd: Command): Command {
  return cmd
    .option('--format <formats>', 'terminal, json, sarif, markdown, html, junit; repeatable or comma-separated (default: from the -o file extension, else terminal)', collect)
    .option('-o, --output <[format=]file>', 'write a report to a file (repeatable: --output sarif=a.sarif --output html=a.html); a plain file takes --format or its extension', collect)
    .addOption(new Option('--fail-on <severity>', 'fail the gate on a finding at or above this severity (default: high)').choices(['critical', 'high', 'medium', 'low', 'none']))
    .option('--min-score <0-100>', 'fail the gate when the score is below this')
    .addOption(new Option('--min-grade <grade>', 'fail the gate when the grade is below this').choices([...GRADES]))
    .option('--baseline <report.json>', 'a previous JSON report: findings already in it are "known" and do not fail the gate')
    .option('--sarif-location <file>', 'repository file SARIF results point at (default: the --config file)')
    .option('--template <[format=]file>', 'render markdown or html with your own template (copy one from reports-templates/)', collect)
    .option('--save-evidence <dir>', 'also write the evidence (masked) to <dir>/evidence.json, for --from-evidence')
    .option('--no-color', 'plain output without colors (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('--verbose', 'log every request (tokens masked) to stderr');
}

export function buildProgram(setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command();
  program
    .name('session-audit')
    .description('Audit how a running web deployment manages login sessions, from the outside: cookie attributes, session fixation, logout revocation, session lifetime (expiry, idle and absolute timeouts, restarts, password changes), token strength (weak signing secrets, JWT flaws, client-side state, ID entropy). Prints a scored report as terminal text, JSON, SARIF, Markdown, HTML or JUnit.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run session-audit audit --help for every option)')
    .addHelpText('after', `\nEvery audit option (login, limits, reports, lifetime and token checks): session-audit audit --help\n${EXAMPLES}\n${EXIT_CODES}\n`)
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
    .option('--password-stdin', 'read the password from the first line of stdin instead (never from a flag value)')
    .option('--auth-check <path>', 'a URL only a logged-in user gets 200 from, e.g. /me')
    .option('--logout <path>', 'logout endpoint (POST by default)')
    .option('--session-cookie <name>', 'a hint: the session cookie is otherwise found by behaviour')
    .option('--timeout <duration>', 'per-request timeout, e.g. 10s, 1500ms (default 10s)')
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable)', collect)
    .option('--ca <file>', 'PEM file of a CA to trust (self-signed staging certificates)')
    .option('--insecure', 'do not verify TLS certificates (the report says so)')
    .option('--cert <file>', 'PEM client certificate for mTLS-protected targets (with --key)')
    .option('--key <file>', 'PEM private key of --cert (unencrypted)')
    .option('--proxy <url>', 'send every request through this HTTP proxy (Burp, ZAP); default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY')
    .option('--allow-http', 'allow logging in over plain http:// to a host that is not loopback (the report flags it)')
    .option('--allow-origin <origin>', 'another origin requests may go to, e.g. an SSO host (repeatable; config scope.allow)', collect)
    .option('--deadline <duration>', 'stop the whole audit after this long; unfinished checks end in error (default 10m)')
    .option('--max-requests <n>', 'send at most this many requests (default 1000)')
    .option('--rate <req/s>', 'at most this many requests per second, all simulated browsers together (default: no pacing)')
    .option('--concurrency <n>', 'requests in flight at once (default 2)')
    .option('--max-redirects <n>', 'redirect hops followed per request (default 10)')
    .option('--max-body <size>', 'read at most this much of each response body, e.g. 512KiB (default 1MiB)')
    .option('--har <file>', 'write an HTTP Archive (HAR 1.2) of every request, secrets masked')
    .option('--show-secrets', 'show session token values unmasked in the report (passwords are never shown)')
    .option('--prove', 'when a weak signing secret is found, forge a cookie with it and send it once to prove the server accepts it')
    .option('--wordlist <file>', 'extra candidate signing secrets, one per line, tried after the built-in list')
    .option('--entropy-samples <n>', 'session IDs to collect for the entropy estimate (default 20; 0 turns it off)')
    .option('--from-evidence <dir>', 're-run rules, score and reports on evidence saved with --save-evidence; no network, no URL or password')
    .option('--allow-password-change', 'run the password-change probe configured in passwordChange (changes the password to a random one and restores it)')
    .option('--restart-command <command>', 'shell command that restarts the target, to test whether sessions survive a restart')
    .option('--restart-ready-url <path>', 'after --restart-command, poll this URL until it answers (default: the target itself)')
    .option('--restart-wait <duration>', 'after --restart-command, wait this long (before polling --restart-ready-url, if given)');
  lifetimeOptions(audit);
  outputOptions(audit)
    .addHelpText('after', `${EXAMPLES}\n${EXIT_CODES}\n`)
    .action(async (url: string | undefined, opts: Record<string, unknown>) => {
      const { auditCommand } = await import('./commands/audit.js');
      setExit(await auditCommand(url, opts as never));
    });

  outputOptions(lifetimeOptions(program.command('demo').description('start the embedded demo app on 127.0.0.1, audit it, print the report, stop it').showHelpAfterError('(run session-audit demo --help for its options)')))
    .option('--fixed', 'audit the hardened variant (HTTPS with a self-signed certificate the audit trusts)', false)
    .option('--prove', 'forge a cookie with a found weak secret and send it once')
    .option('--entropy-samples <n>', 'session IDs to collect for the entropy estimate (default 20; 0 turns it off)')
    .action(async (opts: Record<string, unknown>) => {
      const { demoCommand } = await import('./commands/demo.js');
      setExit(await demoCommand(opts as never));
    });

  program
    .command('rules')
    .showHelpAfterError('(run session-audit rules --help for its options)')
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

/**
 * When the report would have been JSON on stdout (`--format json` without a file), a run that ends
 * in exit 2, 3 or 130 still prints JSON there, so `session-audit … --format json | jq` can read why:
 * {"error": {"code": "E_…", "exitCode": 2, "message": "…"}}. The message is the one on stderr.
 */
async function jsonErrorOnStdout(program: Command, err: SessionAuditError): Promise<void> {
  for (const c of program.commands.filter((x) => x.name() === 'audit' || x.name() === 'demo')) {
    const opts = c.opts<{ format?: string[]; output?: string[] }>();
    if (opts.format === undefined) continue;
    try {
      const { planOutputs } = await import('./output.js');
      if (!planOutputs(opts.format, opts.output).some((t) => t.format === 'json' && t.path === undefined)) return;
    } catch {
      return; // the format flags themselves were the error
    }
    process.stdout.write(`${JSON.stringify({ error: { code: err.code, exitCode: err.exitCode, message: oneParagraph(err.message) } }, null, 2)}\n`);
    return;
  }
}

/**
 * A flag commander rejected never reaches the command's options, so read --format / --output from
 * argv as given: when the stdout report would have been JSON, print the error object there too.
 */
async function jsonUsageErrorFromArgv(argv: readonly string[], message: string): Promise<void> {
  const formats: string[] = [];
  const outputs: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    if (a === '--format' && next !== undefined) formats.push(next);
    else if (a.startsWith('--format=')) formats.push(a.slice('--format='.length));
    else if ((a === '-o' || a === '--output') && next !== undefined) outputs.push(next);
    else if (a.startsWith('--output=')) outputs.push(a.slice('--output='.length));
  }
  if (formats.length === 0) return;
  try {
    const { planOutputs } = await import('./output.js');
    if (!planOutputs(formats, outputs).some((t) => t.format === 'json' && t.path === undefined)) return;
  } catch {
    return;
  }
  const text = message.replace(/^error: /, '').trim();
  process.stdout.write(`${JSON.stringify({ error: { code: 'E_USAGE', exitCode: ExitCode.usage, message: text } }, null, 2)}\n`);
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
      // Commander already printed the message; a `--format json` pipeline still gets its JSON.
      await jsonUsageErrorFromArgv(argv, err.message);
      return ExitCode.usage;
    }
    if (err instanceof SessionAuditError) {
      process.stderr.write(`session-audit: ${oneParagraph(err.message)}\n`);
      await jsonErrorOnStdout(program, err);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`session-audit: internal error: ${message}\nThis is a bug in session-audit; please report it (set SESSION_AUDIT_DEBUG=1 for details).\n`);
    if (process.env.SESSION_AUDIT_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return ExitCode.internal;
  }
}
