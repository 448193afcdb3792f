// Bundles the compiled CLI for a fast cold start: dist/cli/main.js (the program,
// the verb table, commander's setup) and one file per command group that polls or
// prints (dist/cli/evolve.js, operations.js, …). Each holds ratchet's own code and
// zod (tree-shaken), so a verb reads one or two files instead of ~100 small ones;
// other packages stay ordinary `require`s. Groups that run a worker or a server
// (dev, worker, doctor, judge) are not bundled: the table points them at tsc's
// dist/client/commands/*.js, whose __dirname-relative paths (workflow bundles,
// agent runner scripts) stay true. Called by bin/build.js after tsc; optional —
// bin/ratchet.js uses tsc's output when dist/cli is absent.
'use strict';
const path = require('node:path');

/** Command modules bundled into dist/cli/<name>.js. */
const BUNDLED_GROUPS = [
  'operations',
  'checkpoint',
  'completion',
  'evolve',
  'gc',
  'health',
  'pipeline',
  'versions',
];
/**
 * Packages inlined (tree-shaken); every other package is required from
 * node_modules. zod/mini for the settings, protobufjs (with long, which it
 * loads at start) for the read path: one file to read instead of dozens.
 */
const INLINED_PACKAGES = new Set(['zod', 'protobufjs', 'long']);
/** Our folders whose modules may be inlined; anything else is required from tsc's output. */
const INLINED_DIRS = ['client', 'config', 'domain', 'activities', 'workflows', 'lib'];
/** Modules read by path relative to themselves (agent runner scripts): tsc's output only. */
const NOT_INLINED = [/^activities\/agents\/(agent|session)Steps$/];
/** Error classes the program checks with instanceof: one copy, tsc's, shared by every bundle. */
const SHARED = new Set(['client/output']);

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function resolver(root, outdir) {
  // tsc's compiled module, as a path relative to the bundles (e.g. ../client/output.js).
  const external = (rel) => ({
    path: path
      .relative(outdir, path.join(root, 'dist', `${rel}.js`))
      .split(path.sep)
      .join('/'),
    external: true,
  });
  return {
    name: 'ratchet-cli',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const spec = args.path;
        if (!spec.startsWith('.') && !path.isAbsolute(spec)) {
          if (spec.startsWith('node:') || !INLINED_PACKAGES.has(packageName(spec))) {
            return { path: spec, external: true };
          }
          return undefined;
        }
        if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined; // inside zod
        const rel = path
          .relative(root, path.resolve(args.resolveDir, spec))
          .replace(/\.(ts|js)$/, '')
          .split(path.sep)
          .join('/');
        // The verb table's lazy requires: a bundled group's own file, or tsc's module.
        if (args.importer.endsWith(path.join('client', 'commands', 'index.ts'))) {
          const group = rel.replace(/^client\/commands\//, '');
          if (BUNDLED_GROUPS.includes(group)) return { path: `./${group}.js`, external: true };
          return external(rel);
        }
        const inlined =
          INLINED_DIRS.some((d) => rel.startsWith(`${d}/`)) &&
          !NOT_INLINED.some((re) => re.test(rel)) &&
          !SHARED.has(rel);
        return inlined ? undefined : external(rel);
      });
    },
  };
}

/** The WorkflowService calls the read path makes (client/fastRead.ts). */
const READ_METHODS = ['ListWorkflowExecutions', 'DescribeWorkflowExecution', 'QueryWorkflow'];

/**
 * Response types cut down to the fields client/fastRead.ts reads (a decoder
 * skips the others on the wire), so the schema it loads is ~15 types instead
 * of the ~100 those responses reach: building and code-generating them was a
 * third of the read path's start. Requests are kept whole, so nothing it sends
 * can be dropped.
 */
const READ_FIELDS = {
  'temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse': ['workflowExecutionInfo'],
  'temporal.api.workflowservice.v1.QueryWorkflowResponse': ['queryResult', 'queryRejected'],
  'temporal.api.workflow.v1.WorkflowExecutionInfo': [
    'execution',
    'status',
    'startTime',
    'searchAttributes',
  ],
  'temporal.api.query.v1.WorkflowQuery': ['queryType', 'queryArgs'],
};

/**
 * The protobuf definitions those calls need — their request and response
 * types and every type their kept fields reach — as protobufjs JSON: loading
 * Temporal's whole API (~2,000 types) is most of what @temporalio/client
 * costs at start.
 */
function readProtos(root) {
  const full = require(require.resolve('@temporalio/proto/protos/json-module', { paths: [root] }));
  const service = full.lookupService('temporal.api.workflowservice.v1.WorkflowService');
  const keptFields = (type) => {
    const only = READ_FIELDS[type.fullName.replace(/^\./, '')];
    return (type.fieldsArray ?? []).filter((f) => !only || only.includes(f.name));
  };
  const seen = new Set();
  const walk = (type) => {
    if (!type || seen.has(type)) return;
    seen.add(type);
    for (const field of keptFields(type)) walk(field.resolve().resolvedType);
  };
  for (const name of READ_METHODS) {
    const method = service.methods[name].resolve();
    walk(method.resolvedRequestType);
    walk(method.resolvedResponseType);
  }
  const out = { nested: {} };
  // The JSON node of a reflection object, parents (namespaces, enclosing messages) created on the way.
  const node = (obj) => {
    if (!obj.parent) return out;
    const parent = node(obj.parent);
    parent.nested ??= {};
    parent.nested[obj.name] ??= obj.fieldsArray ? { fields: {} } : {};
    return parent.nested[obj.name];
  };
  for (const type of seen) {
    const json = type.toJSON();
    delete json.nested; // only the nested types reached are kept, each on its own
    if (json.fields) {
      const kept = new Set(keptFields(type).map((f) => f.name));
      for (const name of Object.keys(json.fields)) if (!kept.has(name)) delete json.fields[name];
      // A oneof naming only dropped fields would not resolve.
      for (const [name, oneof] of Object.entries(json.oneofs ?? {})) {
        oneof.oneof = oneof.oneof.filter((f) => kept.has(f));
        if (!oneof.oneof.length) delete json.oneofs[name];
      }
    }
    Object.assign(node(type), json);
  }
  return out;
}

/** Writes dist/cli/*.js; resolves to the bundle names, or rejects (the caller only warns). */
async function bundleCli(root) {
  const esbuild = require('esbuild');
  const { existsSync, readdirSync, rmSync } = require('node:fs');
  const outdir = path.join(root, 'dist', 'cli');
  // Code caches of the previous bundles (bin/codeCache.js): never valid for new ones.
  for (const name of existsSync(outdir) ? readdirSync(outdir) : []) {
    if (name.endsWith('.cache')) rmSync(path.join(outdir, name), { force: true });
  }
  const entryPoints = {
    main: path.join(root, 'client', 'cli.ts'),
    fastRead: path.join(root, 'client', 'fastReadEntry.ts'),
  };
  for (const g of BUNDLED_GROUPS) entryPoints[g] = path.join(root, 'client', 'commands', `${g}.ts`);
  await esbuild.build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    // Less to parse at every start; identifiers kept, so a stack trace still names its functions.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [resolver(root, outdir)],
    logLevel: 'error',
  });
  const { writeFileSync } = require('node:fs');
  writeFileSync(path.join(outdir, 'readProtos.json'), JSON.stringify(readProtos(root)));
  // `ratchet --help` and `--version` as commander answers them (client/cli.ts, staticAnswers).
  const answers = await require(path.join(outdir, 'main.js')).staticAnswers();
  writeFileSync(path.join(outdir, 'static.json'), JSON.stringify(answers));
  return Object.keys(entryPoints);
}

module.exports = { bundleCli, readProtos, BUNDLED_GROUPS, READ_METHODS, READ_FIELDS };
