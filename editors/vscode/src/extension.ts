// The VS Code side of refls: finds the `refls` binary, starts it as a language server for
// research notes (Markdown, Quarto, R Markdown, LaTeX, Typst, Org, plain text), keeps its
// settings in step with VS Code's, and adds three commands: restart the server, show its
// output, and export a bibliography as CSL-JSON (the works the active manuscript cites, from
// the server, or the whole corpus, from the CLI). It also runs the command of the server's code
// lens (`refls.showReferences`) as a references peek. Everything about citations (hover,
// completion, definition, references, rename, diagnostics) is the server's; this file only
// wires it up.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  ReferencesRequest,
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';

/** VS Code language ids the server is started for; the server picks the dialect by extension. */
const LANGUAGES = ['markdown', 'quarto', 'rmd', 'latex', 'tex', 'typst', 'org', 'plaintext', 'bibtex'];

/**
 * The command of the server's code lens on bibliography entries and saved pages ("cited 3× in
 * 2 manuscripts"), with arguments `[uri, position]`; shown here as a references peek.
 */
const SHOW_REFERENCES_COMMAND = 'refls.showReferences';

/** The server's export command, which is also this extension's own (see exportBibliography). */
const EXPORT_COMMAND = 'refls.exportBibliography';

/** The documents the server is started for: saved files and untitled editors. */
const DOCUMENT_SELECTOR: DocumentSelector = LANGUAGES.flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

/** Settings the server understands, under `refls.` in VS Code and at top level for the server. */
const SERVER_SETTINGS = ['corpus', 'completionLimit', 'diagnosticsDelayMs', 'trustedPaths', 'inlayHints'] as const;

const INSTALL_HINT =
  'Install it with `cargo install --path .` from a checkout of the refls repository, ' +
  'or set `refls.server.path` to the binary (for example <repo>/target/debug/refls).';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
// Serialises start/stop/restart so that a settings change arriving during a restart cannot
// leave two servers running.
let lifecycle: Promise<void> = Promise.resolve();
// The server settings the running server was last given, to tell a removed setting from a
// changed one.
let sentSettings: Record<string, unknown> = {};

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('refls');
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('refls.restartServer', () => queue(() => restart(true))),
    vscode.commands.registerCommand('refls.showOutput', () => output.show(true)),
    vscode.commands.registerCommand(EXPORT_COMMAND, exportBibliography),
    vscode.commands.registerCommand(SHOW_REFERENCES_COMMAND, showReferences),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChanged),
  );

  void queue(() => start(false));
}

export function deactivate(): Thenable<void> | undefined {
  const running = client;
  client = undefined;
  return running?.stop();
}

function queue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

// ---------------------------------------------------------------------------------------
// Finding the server

/** The folder the server takes as its workspace root (refls serves one root). */
function rootFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

type Found = { command: string; version: string } | { error: string };

/**
 * The binary to run: `refls.server.path` when set, else `refls` on PATH. Each candidate is
 * run once with `--version`, so that a file that exists but cannot start (wrong platform,
 * missing permission) is reported here, in one message, rather than as a crash loop.
 */
async function findServer(): Promise<Found> {
  const configured = vscode.workspace.getConfiguration('refls').get<string>('server.path', '').trim();
  let command: string | undefined;
  let where: string;
  if (configured) {
    command = expandPath(configured);
    where = `refls.server.path is "${configured}"`;
    if (!isExecutableFile(command)) {
      return { error: `refls: ${where}, but there is no executable file at ${command}. ${INSTALL_HINT}` };
    }
  } else {
    command = searchPath('refls');
    where = 'refls was found on PATH';
    if (!command) {
      return { error: `refls: the language server was not found on PATH. ${INSTALL_HINT}` };
    }
  }
  try {
    const version = await run(command, ['--version'], 10_000);
    return { command, version: version.stdout.trim() };
  } catch (e) {
    return { error: `refls: ${where} (${command}), but it does not run: ${describe(e)}. ${INSTALL_HINT}` };
  }
}

/** Resolves `~`, `${workspaceFolder}` and paths relative to the workspace root. */
function expandPath(p: string): string {
  const root = rootFolder()?.uri.fsPath;
  let expanded = p.replace(/\$\{workspaceFolder\}/g, root ?? '');
  if (expanded === '~' || expanded.startsWith('~/')) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  if (!path.isAbsolute(expanded) && root) {
    expanded = path.join(root, expanded);
  }
  return expanded;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    // Windows has no execute bit; existence is the best test there.
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A `which` of our own, so that the lookup sees exactly the PATH the server would get. */
function searchPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d.length > 0);
  const suffixes =
    process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').concat(['']) : [''];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = path.join(dir, name + suffix.toLowerCase());
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
  cwd?: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A corpus export can be large; the default 1 MiB buffer would cut it off.
    execFile(command, args, { timeout: timeoutMs, cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error, { stderr }));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    return stderr ? `${e.message.trim()} (${stderr})` : e.message.trim();
  }
  return String(e);
}

// ---------------------------------------------------------------------------------------
// Settings

/**
 * The server settings the user has actually set, at the most specific level. Defaults are
 * left out on purpose: the server cannot tell a default from a choice, and VS Code's defaults
 * (an empty `corpus`, for one) would override the workspace's `refls.toml`.
 */
function explicitSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('refls', rootFolder()?.uri);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const seen = config.inspect(key);
    // A workspace must not widen what its own manuscripts can make refls read.
    const value =
      key === 'trustedPaths' ? seen?.globalValue : (seen?.workspaceFolderValue ?? seen?.workspaceValue ?? seen?.globalValue);
    if (value !== undefined) {
      settings[key] = value;
    }
  }
  return settings;
}

function onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
  if (event.affectsConfiguration('refls.server.path')) {
    // A different binary: only a new process can pick it up.
    const now = vscode.workspace.getConfiguration('refls').get<string>('server.path', '');
    output.appendLine(`refls.server.path changed to "${now}": restarting`);
    void queue(() => restart(false));
    return;
  }
  if (!SERVER_SETTINGS.some((key) => event.affectsConfiguration(`refls.${key}`)) || !client?.isRunning()) {
    return;
  }
  const settings = explicitSettings();
  const removed = Object.keys(sentSettings).filter((key) => !(key in settings));
  if (removed.length > 0) {
    // The server applies a change on top of what it has, and has no way to hear "back to
    // refls.toml or the default": a new process starts from refls.toml again.
    output.appendLine(`settings removed (${removed.join(', ')}): restarting`);
    void queue(() => restart(false));
    return;
  }
  // Same shape as `synchronize.configurationSection: 'refls'` would send, minus defaults.
  sentSettings = settings;
  void client
    .sendNotification(DidChangeConfigurationNotification.type, { settings: { refls: settings } })
    .catch((e) => output.appendLine(`could not send settings: ${describe(e)}`));
}

// ---------------------------------------------------------------------------------------
// The client

async function start(userAsked: boolean): Promise<void> {
  const found = await findServer();
  if ('error' in found) {
    output.appendLine(found.error);
    // One message, with the two ways out; the language client never starts, so it cannot add
    // its own "server crashed" notifications on top.
    void vscode.window.showErrorMessage(found.error, 'Open Settings', 'Show Output').then((choice) => {
      if (choice === 'Open Settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'refls.server.path');
      } else if (choice === 'Show Output') {
        output.show(true);
      }
    });
    return;
  }
  output.appendLine(`starting ${found.command} (${found.version})`);

  const root = rootFolder();
  sentSettings = explicitSettings();
  const serverOptions: ServerOptions = {
    // No `transport`: with TransportKind.stdio the client would append `--stdio`, which refls
    // accepts but does not need.
    command: found.command,
    args: ['lsp'],
    options: { cwd: root?.uri.fsPath },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    initializationOptions: { refls: sentSettings },
    outputChannel: output,
    traceOutputChannel: output,
    workspaceFolder: root,
  };

  // The id `refls` makes the client read `refls.trace.server` by itself.
  client = new LanguageClient('refls', 'refls', serverOptions, clientOptions);
  keepOwnCommands(client);
  try {
    await client.start();
    if (userAsked) {
      void vscode.window.showInformationMessage(`refls: restarted ${found.version}.`);
    }
  } catch (e) {
    output.appendLine(`the server did not start: ${describe(e)}`);
    void vscode.window.showErrorMessage(`refls: the server did not start: ${describe(e)}`, 'Show Output').then(
      (choice) => choice && output.show(true),
    );
  }
}

async function restart(userAsked: boolean): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop(5_000);
    } catch (e) {
      output.appendLine(`stopping the old server: ${describe(e)}`);
    }
  }
  await start(userAsked);
}

/**
 * The language client registers every command the server lists in `executeCommandProvider`
 * as a VS Code command. `refls.exportBibliography` is already this extension's (it needs the
 * manuscript's URI as argument and its result shown), and a second registration fails the
 * whole start-up, so the client is told to leave that one alone.
 */
function keepOwnCommands(languageClient: LanguageClient): void {
  const feature = languageClient.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) => {
    const commands = (data.registerOptions.commands ?? []).filter((command) => command !== EXPORT_COMMAND);
    register({ ...data, registerOptions: { ...data.registerOptions, commands } });
  };
}

// ---------------------------------------------------------------------------------------
// Code lens

/**
 * Runs a code lens of the server: the citations of the work at `position` of `uri` (the
 * server's references without the work's own sources), in VS Code's references peek.
 */
async function showReferences(uri: string, position: { line: number; character: number }): Promise<void> {
  const running = client;
  if (!running || typeof uri !== 'string' || !position) {
    return;
  }
  const found = await running.sendRequest(ReferencesRequest.type, {
    textDocument: { uri },
    position,
    context: { includeDeclaration: false },
  });
  const locations = await running.protocol2CodeConverter.asReferences(found ?? []);
  await vscode.commands.executeCommand(
    'editor.action.showReferences',
    vscode.Uri.parse(uri),
    new vscode.Position(position.line, position.character),
    locations ?? [],
  );
}

// ---------------------------------------------------------------------------------------
// Export

/**
 * Opens a bibliography as CSL-JSON in a new untitled editor. Two sources:
 * - the works the active manuscript cites: the server's `refls.exportBibliography`
 *   (`workspace/executeCommand` with the document's URI), when the server offers it and the
 *   active editor is one it serves;
 * - the whole corpus: the CLI, `refls index --format csl-json`, over the inputs the server
 *   would index (also the only source with a server that has no export command).
 * With both available the user picks one.
 */
async function exportBibliography(): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  const running = client?.isRunning() ? client : undefined;
  const serverExports =
    running?.initializeResult?.capabilities.executeCommandProvider?.commands.includes(EXPORT_COMMAND) ?? false;
  let cited = false;
  if (running && serverExports && document && vscode.languages.match(DOCUMENT_SELECTOR, document) > 0) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: `Works cited in ${path.basename(document.uri.path)}`, description: 'from the language server', cited: true },
        { label: 'The whole corpus', description: 'refls index --format csl-json', cited: false },
      ],
      { title: 'refls: export a bibliography as CSL-JSON' },
    );
    if (!choice) {
      return;
    }
    cited = choice.cited;
  }
  if (cited && running && document) {
    await exportCited(running, document);
  } else {
    await exportCorpus();
  }
}

async function exportCited(running: LanguageClient, document: vscode.TextDocument): Promise<void> {
  let result: unknown;
  try {
    result = await running.sendRequest(ExecuteCommandRequest.type, {
      command: EXPORT_COMMAND,
      arguments: [running.code2ProtocolConverter.asUri(document.uri), 'csl-json'],
    });
  } catch (e) {
    output.appendLine(`${EXPORT_COMMAND}: ${describe(e)}`);
    void vscode.window.showErrorMessage(`refls: the export failed: ${describe(e)}`);
    return;
  }
  const text = (result as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') {
    output.appendLine(`${EXPORT_COMMAND}: unexpected answer ${JSON.stringify(result)}`);
    void vscode.window.showErrorMessage('refls: the server answered the export with no text (see the output).');
    return;
  }
  await showJson(text);
}

async function exportCorpus(): Promise<void> {
  const found = await findServer();
  if ('error' in found) {
    void vscode.window.showErrorMessage(found.error);
    return;
  }
  const root = rootFolder();
  const args = ['index', '--format', 'csl-json'];
  if (root) {
    const paths = await corpusPaths(root);
    if (paths === undefined) {
      void vscode.window.showWarningMessage('refls: no file matches the `refls.corpus` setting; nothing to export.');
      return;
    }
    args.push(...paths);
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'refls: exporting the bibliography…' },
    async () => {
      try {
        return await run(found.command, args, 120_000, root?.uri.fsPath);
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    },
  );
  if (result instanceof Error) {
    output.appendLine(`refls ${args.join(' ')}: ${describe(result)}`);
    void vscode.window.showErrorMessage(`refls: the export failed: ${describe(result)}`, 'Show Output').then(
      (choice) => choice && output.show(true),
    );
    return;
  }
  if (result.stderr.trim()) {
    // Unreadable files and ambiguous keys are warnings, not failures: keep them where the
    // user can find them.
    output.appendLine(`refls ${args.join(' ')}:\n${result.stderr.trimEnd()}`);
  }
  await showJson(result.stdout);
}

async function showJson(content: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: 'json', content });
  await vscode.window.showTextDocument(document);
}

/**
 * The corpus inputs as CLI arguments, mirroring the server's choice for this root; undefined
 * when `refls.corpus` is set but names nothing (no arguments would mean the built-in pages).
 */
async function corpusPaths(root: vscode.WorkspaceFolder): Promise<string[] | undefined> {
  const corpus = vscode.workspace.getConfiguration('refls', root.uri).get<string[]>('corpus', []);
  if (corpus.length > 0) {
    const paths: string[] = [];
    for (const entry of corpus) {
      if (/[*?[]/.test(entry)) {
        // The CLI takes files and folders only, so globs are expanded here.
        const matches = await vscode.workspace.findFiles(new vscode.RelativePattern(root, entry));
        paths.push(...matches.map((uri) => uri.fsPath).sort());
      } else {
        paths.push(path.join(root.uri.fsPath, entry));
      }
    }
    return paths.length > 0 ? paths : undefined;
  }
  const seeds = path.join(root.uri.fsPath, 'seeds');
  return fs.existsSync(seeds) ? [seeds] : [];
}
