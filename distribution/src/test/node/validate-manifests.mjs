// Checks Kubernetes manifests against the API's schemas, as the API server would before it stores them.
//
//   node validate-manifests.mjs NODE_MODULES MANIFESTS.json
//
// MANIFESTS.json is an array of objects (ChartRenderTest renders the chart with helm and converts each document).
// Each object is validated with the schema that npm kubernetes-models (the core API, Kubernetes 1.3x) or
// @kubernetes-models/keda (KEDA's CRDs) generated from the OpenAPI definitions, found by its apiVersion and kind.
// Those validators check types, enums, required fields and formats but accept any field they do not know, which is
// how a misspelt or misplaced field (`enviroment`, a probe under the pod spec) slips through `helm template`. So the
// object is handed to the validator behind a Proxy that records which fields the validator asked for: the
// generated code reads every property its schema declares (`void 0 !== data.replicas`) and walks the keys of a map
// (`for (key in data.labels)`). A field present in the object that the validator neither read nor reached by walking
// the keys is one the schema does not have: the API server's strict field validation rejects it.
//
// Prints one line per problem ("<kind>/<name> <path>: <what>") and exits 1 when there is any; 2 on bad arguments.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, input] = process.argv.slice(2);
if (!modules || !input) {
  console.error("usage: validate-manifests.mjs NODE_MODULES MANIFESTS.json");
  process.exit(2);
}

// apiVersion -> the package directory holding its models (group/version/Kind.js).
function modelFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "keda.sh") {
    return join(modules, "@kubernetes-models/keda", group, version, kind + ".js");
  }
  return join(modules, "kubernetes-models", group === "" ? version : `${group}/${version}`, kind + ".js");
}

// Wraps `value` so that reads of its fields are recorded in `seen` (path -> {read: Set, walked: bool, keys}).
function watched(value, path, seen) {
  if (value === null || typeof value !== "object") {
    return value;
  }
  const entry = { keys: Array.isArray(value) ? [] : Object.keys(value), read: new Set(), walked: false };
  seen.set(path, entry);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") {
        entry.read.add(key);
        if (Object.prototype.hasOwnProperty.call(target, key)) {
          if (!children.has(key)) {
            children.set(key, watched(target[key], `${path}/${key}`, seen));
          }
          return children.get(key);
        }
      }
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") {
        entry.read.add(key);
      }
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      entry.walked = true;
      return Reflect.ownKeys(target);
    },
  });
}

const manifests = JSON.parse(readFileSync(input, "utf8"));
if (!Array.isArray(manifests) || manifests.length === 0) {
  console.error(`${input}: no manifests (an array of objects is expected)`);
  process.exit(2);
}
const problems = [];
for (const m of manifests) {
  const name = `${m?.kind ?? "?"}/${m?.metadata?.name ?? "?"}`;
  if (typeof m?.apiVersion !== "string" || typeof m?.kind !== "string") {
    problems.push(`${name}: no apiVersion or kind`);
    continue;
  }
  let model;
  try {
    model = (await import(pathToFileURL(modelFile(m.apiVersion, m.kind)).href))[m.kind];
  } catch (e) {
    problems.push(`${name}: no schema for ${m.apiVersion} ${m.kind} (${e.code ?? e.message})`);
    continue;
  }
  const seen = new Map();
  const target = watched(m, "", seen);
  try {
    model.prototype.validate.call(target);
  } catch (e) {
    for (const d of e.errors ?? [{ instancePath: "", message: e.message }]) {
      problems.push(`${name} ${d.instancePath || "/"}: ${d.message}${d.params?.allowedValues ? " " + JSON.stringify(d.params.allowedValues) : ""}`);
    }
  }
  for (const [path, entry] of seen) {
    if (entry.walked) {
      continue; // a map (labels, data, a trigger's metadata): any key is allowed
    }
    for (const key of entry.keys) {
      if (!entry.read.has(key)) {
        problems.push(`${name} ${path}/${key}: unknown field (not in the ${m.apiVersion} ${m.kind} schema)`);
      }
    }
  }
  console.log(`ok-checked ${name} (${m.apiVersion}), ${seen.size} objects`);
}
for (const p of problems) {
  console.log(`problem: ${p}`);
}
process.exit(problems.length ? 1 : 0);
