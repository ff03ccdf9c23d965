// VS Code client for ris-lsp: starts the language server over stdio for `ris` documents.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

const EXE = process.platform === 'win32' ? 'ris-lsp.exe' : 'ris-lsp';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for the whole session, so the log survives server restarts.
  output = vscode.window.createOutputChannel('RIS Language Server');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('ris.restartServer', async () => {
      await stopClient();
      await startClient(context);
    }),
  );
  await startClient(context);
}

export function deactivate(): Promise<void> {
  return stopClient();
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const command = findServer(context);
  if (!command) {
    return;
  }
  output.appendLine(`Starting ${command} --stdio`);

  const run = { command, args: ['--stdio'], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'ris' },
      { scheme: 'untitled', language: 'ris' },
    ],
    outputChannel: output,
  };
  // The id `ris` makes the client read its trace level from `ris.trace.server`.
  client = new LanguageClient('ris', 'RIS Language Server', serverOptions, clientOptions);
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
    await running.stop();
  }
}

/**
 * Where the server binary is, in order: the `ris.server.path` setting, the binary
 * bundled at `server/ris-lsp` inside the extension, `ris-lsp` on PATH.
 * Shows an error naming the fix and returns undefined when none is found.
 * (Exported for the tests.)
 */
export function findServer(context: vscode.ExtensionContext): string | undefined {
  const configured = vscode.workspace.getConfiguration('ris').get<string>('server.path', '').trim();
  if (configured) {
    const resolved = configured.replace(/^~(?=$|[\\/])/, os.homedir());
    if (isExecutable(resolved)) {
      return resolved;
    }
    showNotFound(`"ris.server.path" is set to ${configured}, which is not an executable file.`);
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
  showNotFound('The ris-lsp language server was not found on PATH.');
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
    'Install it with `cargo install --path .` in the ris-lsp repository, or set "ris.server.path" to the binary.';
  output.appendLine(`${reason} ${fix}`);
  void vscode.window
    .showErrorMessage(`RIS: ${reason} ${fix}`, 'Open Settings')
    .then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'ris.server.path');
      }
    });
}
