// VS Code client for ris-lsp: starts the language server over stdio for `ris` documents
// and passes it the `ris-lsp.*` settings.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

/** The settings section; the client id is the same, so the trace level is `ris-lsp.trace.server`. */
const SECTION = 'ris-lsp';
const EXE = process.platform === 'win32' ? 'ris-lsp.exe' : 'ris-lsp';
/** The settings the server reads, the keys of `ris-lsp.toml`. */
const SERVER_KEYS = ['severity', 'extra-tags', 'extra-types', 'required', 'inlay-hints'] as const;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for the whole session, so the log survives server restarts.
  output = vscode.window.createOutputChannel('RIS Language Server');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('ris-lsp.restartServer', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.server.path`)) {
        output.appendLine('ris-lsp.server.path changed: restarting the server');
        void restart(context);
      } else if (event.affectsConfiguration(SECTION) && client?.isRunning()) {
        void client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );
  await startClient(context);
}

export function deactivate(): Promise<void> {
  return stopClient();
}

/**
 * The settings the server understands, as `ris-lsp.toml` spells them. Sent as
 * `initializationOptions` and with every change; a project's `ris-lsp.toml`
 * overrides them on the server. (Exported for the tests.)
 */
export function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = config.get(key);
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const command = findServer(context);
  if (!command) {
    return;
  }
  output.appendLine(`Starting ${command}`);

  // No arguments: vscode-languageclient adds `--stdio` (and `--clientProcessId`) itself.
  const run = { command, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'ris' },
      { scheme: 'untitled', language: 'ris' },
    ],
    initializationOptions: serverSettings(),
    outputChannel: output,
  };
  client = new LanguageClient(SECTION, 'RIS Language Server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    output.appendLine(`Failed to start the server: ${String(err)}`);
    void vscode.window.showErrorMessage(
      `RIS: could not start the language server (${command}). See the "RIS Language Server" output for details.`,
    );
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (err) {
      output.appendLine(`Stopping the server: ${String(err)}`);
    }
  }
}

/**
 * Where the server binary is, in order: the `ris-lsp.server.path` setting, the binary
 * bundled at `server/ris-lsp` inside the extension (the platform package), `ris-lsp`
 * on PATH. Shows a notification saying what to do and returns undefined when none is
 * found. (Exported for the tests.)
 */
export function findServer(context: vscode.ExtensionContext): string | undefined {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('server.path', '').trim();
  if (configured) {
    const resolved = configured.replace(/^~(?=$|[\\/])/, os.homedir());
    if (isExecutable(resolved)) {
      return resolved;
    }
    showNotFound(`"ris-lsp.server.path" is set to ${configured}, which is not an executable file.`);
    return undefined;
  }

  const bundled = context.asAbsolutePath(path.join('server', EXE));
  if (isExecutable(bundled)) {
    return bundled;
  }

  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, EXE);
    if (candidate && isExecutable(candidate)) {
      return candidate;
    }
  }
  showNotFound('The ris-lsp language server was not found: this package does not bundle it and it is not on PATH.');
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function showNotFound(reason: string): void {
  const fix =
    'Install the platform package (ris-lsp-linux-x64.vsix), which carries the server, ' +
    'or build it with `cargo install --path .` in the ris-lsp repository and put it on PATH, ' +
    'or set "ris-lsp.server.path" to the binary.';
  output.appendLine(`${reason} ${fix}`);
  void vscode.window.showErrorMessage(`RIS: ${reason} ${fix}`, 'Open Settings').then((choice) => {
    if (choice) {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'ris-lsp.server.path');
    }
  });
}
