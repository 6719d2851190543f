#!/usr/bin/env node
// Checks Kubernetes manifests, such as the output of `kubectl kustomize`, against the API's
// schemas, custom resources of prometheus-operator included, without a cluster:
//
//   node deploy/kubernetes/validate/validate.mjs FILE...
//
// Two checks of each document, both from kubernetes-models, whose schemas are made from the
// Kubernetes OpenAPI document and from prometheus-operator's CRDs (v0.65.1 for the pinned
// @kubernetes-models/prometheus-operator):
// - its model's validate(): types, required fields, enums and formats (a duration such as "30s");
// - the TypeScript compiler, with the document as a literal of the model's interface: it also
//   refuses a field the schema does not have, which a cluster would drop with only a warning
//   (`imagePullPolice`, `intervall`), and which validate() lets through.
// A kind that is not in MODELS is refused too: it would otherwise go unchecked.
// Exit code 0 when every document passes, 1 when one does not, 2 on a usage error.
// Node 18 or later (Debian 12's nodejs): Array.prototype.findLastIndex is the newest feature used,
// and every dependency in the lock file asks for Node 14.17 at most.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const MODELS = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "monitoring.coreos.com/v1/PrometheusRule":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
};

const here = path.dirname(fileURLToPath(import.meta.url));

function readDocuments(file) {
  const documents = [];
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: not YAML: ${document.errors[0].message}`);
    }
    const object = document.toJS();
    if (object !== null) {
      documents.push(object);
    }
  }
  return documents;
}

function describe(entry) {
  const { file, object } = entry;
  return `${file}: ${object?.kind}/${object?.metadata?.name}`;
}

async function validateEach(entries, problems) {
  for (const entry of entries) {
    const model = await import(entry.module);
    try {
      new model[entry.object.kind](entry.object).validate();
    } catch (error) {
      problems.push(`${describe(entry)}: ${error.message}`);
    }
  }
}

// One TypeScript file, a typed constant per document, compiled in memory beside node_modules.
function typeCheck(entries, problems) {
  const lines = [];
  const firstLines = [];
  entries.forEach((entry, i) => {
    lines.push(`import type { I${entry.object.kind} as T${i} } from "${entry.module}";`);
  });
  entries.forEach((entry, i) => {
    firstLines.push(lines.length);
    const literal = JSON.stringify(entry.object, null, 2).split("\n");
    lines.push(`export const d${i}: T${i} = ${literal[0]}`, ...literal.slice(1), ";");
  });
  const name = path.join(here, "manifests.ts");
  const source = lines.join("\n");
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, version, ...rest) =>
    file === name ? ts.createSourceFile(file, source, version) : getSourceFile(file, version, ...rest);
  host.fileExists = (file) => file === name || fileExists(file);
  host.readFile = (file) => (file === name ? source : readFile(file));
  const program = ts.createProgram([name], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n").split("\n")[0];
    if (diagnostic.file?.fileName !== name) {
      problems.push(`validator: ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const i = firstLines.findLastIndex((first) => first <= line);
    const where = i < 0 ? "validator" : describe(entries[i]);
    problems.push(`${where}: line ${line - firstLines[Math.max(i, 0)] + 1} of the document as JSON: ${message}`);
  }
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: validate.mjs FILE...");
    return 2;
  }
  const problems = [];
  const entries = [];
  for (const file of files) {
    let documents;
    try {
      documents = readDocuments(file);
    } catch (error) {
      problems.push(error.message);
      continue;
    }
    for (const object of documents) {
      const module = MODELS[`${object?.apiVersion}/${object?.kind}`];
      if (module === undefined) {
        problems.push(`${describe({ file, object })}: no schema here for apiVersion ${object?.apiVersion}, kind ${object?.kind}`);
      } else {
        entries.push({ file, object, module });
      }
    }
  }
  await validateEach(entries, problems);
  typeCheck(entries, problems);
  for (const problem of problems) {
    console.error(problem);
  }
  if (problems.length > 0) {
    return 1;
  }
  console.log(`${entries.length} documents valid: ${entries.map((e) => e.object.kind).join(", ")}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
