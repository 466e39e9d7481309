// The official TypeScript SDK client (@modelcontextprotocol/sdk, pinned in tools/package.json)
// against one of our example servers, as a third party would use it.
//
// Usage: node ts_client.mjs <scenario> stdio <server-binary> [args...]
//        node ts_client.mjs <scenario> http <url>
// Scenarios:
//   echo         examples/echo: initialize, list tools, call `echo`, `slow_count` with onprogress
//   conformance  examples/conformance-server: resources (read, templates), prompts, logging after
//                setLevel, progress
//
// Prints one JSON line describing what it saw; exits non-zero if any request fails. Run it with
// tools/node_modules/.bin/node (Node 22); the SDK is loaded from tools/node_modules.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const tools = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tools');
const require = createRequire(path.join(tools, 'package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { CallToolResultSchema, LoggingMessageNotificationSchema } = require('@modelcontextprotocol/sdk/types.js');
// (`@modelcontextprotocol/sdk/package.json` resolves through the package's `./*` export to a
// stub under dist/, so read the real manifest.)
const sdkVersion = JSON.parse(
  readFileSync(path.join(tools, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8'),
).version;

const [scenario, transportKind, ...target] = process.argv.slice(2);
if (!scenario || !transportKind || target.length === 0) {
  console.error('usage: ts_client.mjs <echo|conformance> <stdio|http> <command...|url>');
  process.exit(2);
}

const seen = { sdk_version: sdkVersion, transport: transportKind, logs: [], progress: [] };

const client = new Client({ name: 'ts-interop-client', version: '1.0.0' }, { capabilities: {} });
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  seen.logs.push({ level: n.params.level, data: n.params.data, logger: n.params.logger ?? null });
});
client.onerror = (e) => {
  (seen.transport_errors ??= []).push(String(e));
};

const transport =
  transportKind === 'stdio'
    ? new StdioClientTransport({ command: target[0], args: target.slice(1), stderr: 'inherit' })
    : new StreamableHTTPClientTransport(new URL(target[0]));

// Record the wire: the ids and methods we send, and the initialize result we get.
seen.sent = [];
const send = transport.send.bind(transport);
transport.send = (message, options) => {
  if (message.method) seen.sent.push({ id: message.id ?? null, method: message.method });
  return send(message, options);
};
let onmessage;
Object.defineProperty(transport, 'onmessage', {
  get: () => onmessage,
  set: (handler) => {
    onmessage = (message, extra) => {
      (seen.received ??= []).push(message.method ? `${message.method}:${message.params?.progress ?? ""}` : `response:${message.id}`);
      if (message.id === seen.sent.find((m) => m.method === 'initialize')?.id && message.result) {
        seen.protocol_version = message.result.protocolVersion;
      }
      return handler(message, extra);
    };
  },
});

const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const onprogress = (p) => seen.progress.push({ progress: p.progress, total: p.total ?? null, message: p.message ?? null });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function echo() {
  const result = await client.callTool({ name: 'echo', arguments: { text: 'hello from typescript' } });
  seen.echo = { text: text(result), is_error: result.isError ?? false };
  const counted = await client.callTool(
    { name: 'slow_count', arguments: { n: 5, delay_ms: 20 } },
    CallToolResultSchema,
    { onprogress },
  );
  seen.slow_count = { text: text(counted), is_error: counted.isError ?? false };
}

async function conformance() {
  const resources = await client.listResources();
  seen.resources = resources.resources.map((r) => r.uri).sort();
  const read = await client.readResource({ uri: 'test://static-text' });
  seen.static_text = read.contents.map((c) => ({ uri: c.uri, mime_type: c.mimeType ?? null, text: c.text }));

  const templates = await client.listResourceTemplates();
  seen.templates = templates.resourceTemplates.map((t) => ({
    uri_template: t.uriTemplate,
    name: t.name,
    mime_type: t.mimeType ?? null,
  }));
  const fromTemplate = await client.readResource({ uri: 'test://template/42/data' });
  seen.template_read = fromTemplate.contents.map((c) => ({ uri: c.uri, mime_type: c.mimeType ?? null, json: JSON.parse(c.text) }));

  const prompts = await client.listPrompts();
  seen.prompts = Object.fromEntries(
    prompts.prompts.map((p) => [
      p.name,
      { description: p.description ?? null, arguments: (p.arguments ?? []).map((a) => [a.name, a.required ?? false]) },
    ]),
  );
  const simple = await client.getPrompt({ name: 'test_simple_prompt' });
  seen.simple_prompt = simple.messages.map((m) => ({ role: m.role, text: m.content.text }));
  const withArgs = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'alpha', arg2: 'beta' } });
  seen.prompt_with_arguments = withArgs.messages.map((m) => ({ role: m.role, text: m.content.text }));

  // Above the tool's level nothing arrives; at debug, all three messages do.
  await client.setLoggingLevel('error');
  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  await sleep(100);
  seen.logs_at_error = seen.logs.length;
  seen.logs.length = 0;
  await client.setLoggingLevel('debug');
  const logged = await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  seen.logging_tool = { text: text(logged), is_error: logged.isError ?? false };
  for (let i = 0; i < 20 && seen.logs.length < 3; i++) await sleep(50);

  const progressed = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, CallToolResultSchema, {
    onprogress,
  });
  seen.progress_tool = { text: text(progressed), is_error: progressed.isError ?? false };
}

try {
  await client.connect(transport);
  seen.server_info = client.getServerVersion();
  seen.capabilities = Object.keys(client.getServerCapabilities() ?? {}).sort();
  seen.instructions = client.getInstructions() ?? null;
  const tools = await client.listTools();
  seen.tools = Object.fromEntries(
    tools.tools.map((t) => [t.name, { description: t.description ?? null, input_schema: t.inputSchema }]),
  );
  if (scenario === 'echo') await echo();
  else if (scenario === 'conformance') await conformance();
  else throw new Error(`unknown scenario ${scenario}`);
  await client.close();
} catch (e) {
  console.error(`TypeScript client failed: ${e?.stack ?? e}`);
  console.log(JSON.stringify(seen));
  process.exit(1);
}
console.log(JSON.stringify(seen));
process.exit(0);
