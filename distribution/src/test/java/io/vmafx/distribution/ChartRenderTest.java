package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart as a cluster would get it: {@code helm lint} and {@code helm template} (helm v4.1.4, which
 * {@code scripts/setup.sh} puts in {@code .tools/helm}) with the value sets an operator uses (defaults, the bypass,
 * the job store, KEDA, an HPA), every rendered manifest checked against the Kubernetes schemas by
 * {@code distribution/src/test/node/validate-manifests.mjs} (types, enums, required fields, and fields the schema
 * does not have), and what each value set must produce. Contradicting values must fail the render in one line.
 */
class ChartRenderTest {

    static final Path HELM = Node.ROOT.resolve(".tools/helm/helm");
    static final Path NODE_MODULES = Node.ROOT.resolve(".tools/node/node_modules");
    static final Path VALIDATOR = Node.ROOT.resolve("distribution/src/test/node/validate-manifests.mjs");
    static final String TOKEN = "node.token.value=test-token";
    static final String JOB_STORE = "jobStore.enabled=true,jobStore.url=postgresql://vmafx@db.example:5433/scoring?sslmode=verify-full,"
            + "jobStore.password=job-store-secret-1";

    @TempDir
    static Path scratch;

    @BeforeAll
    static void tools() {
        for (Path p : List.of(HELM, NODE_MODULES.resolve("kubernetes-models"), NODE_MODULES.resolve("@kubernetes-models/keda"))) {
            if (!Files.exists(p)) {
                fail(p + " is missing: run scripts/setup.sh (it installs helm and the Kubernetes schemas)");
            }
        }
    }

    /** The value sets the chart is rendered with, by name. */
    static final Map<String, List<String>> VALUE_SETS = Map.of(
            "defaults", List.of(TOKEN),
            "bypass", List.of(TOKEN, "bypass.enabled=true"),
            "job-store", List.of(TOKEN, JOB_STORE),
            "keda", List.of(TOKEN, JOB_STORE, "autoscaling.keda.enabled=true"),
            "hpa", List.of(TOKEN, "autoscaling.hpa.enabled=true,resources.requests.cpu=1500m"));

    static Node.Result helm(String command, List<String> sets) {
        List<String> cmd = new ArrayList<>(List.of(HELM.toString(), command));
        if (command.equals("template")) {
            cmd.add("scoring");
        }
        cmd.add(ServeChartTest.CHART.toString());
        for (String s : sets) {
            cmd.addAll(List.of("--set", s));
        }
        // helm keeps no state for lint and template, but give it its own directories all the same.
        return Node.exec(cmd, Map.of("HELM_CACHE_HOME", scratch.resolve("helm-cache").toString(),
                "HELM_CONFIG_HOME", scratch.resolve("helm-config").toString(), "HELM_DATA_HOME", scratch.resolve("helm-data").toString()), scratch);
    }

    /** {@code helm template} with {@code sets}: the manifests, which must pass the schema check. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(String name, List<String> sets) throws IOException {
        Node.Result r = helm("template", sets);
        assertEquals(0, r.exit(), () -> "helm template (" + name + "): " + r);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(r.stdout())) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        Node.Result check = validate(name, docs);
        assertEquals(0, check.exit(), () -> "the " + name + " manifests against the Kubernetes schemas:\n" + check.stdout() + check.stderr());
        assertEquals(docs.size(), check.stdout().lines().filter(l -> l.startsWith("ok-checked ")).count(), check::toString);
        return docs;
    }

    static Node.Result validate(String name, List<Map<String, Object>> docs) throws IOException {
        Path json = Files.writeString(scratch.resolve(name + ".json"), JSON.std.asString(docs));
        return Node.exec(List.of("node", VALIDATOR.toString(), NODE_MODULES.toString(), json.toString()), Map.of(), scratch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"defaults", "bypass", "job-store", "keda", "hpa"})
    void lintsAndRendersManifestsTheSchemasAccept(String name) throws IOException {
        Node.Result lint = helm("lint", VALUE_SETS.get(name));
        assertEquals(0, lint.exit(), () -> "helm lint (" + name + "): " + lint);
        assertTrue(lint.stdout().contains("1 chart(s) linted, 0 chart(s) failed"), lint::toString);
        assertFalse(lint.stdout().contains("[WARNING]") || lint.stdout().contains("[ERROR]"), lint::toString);
        List<Map<String, Object>> docs = render(name, VALUE_SETS.get(name));
        Map<String, Long> kinds = docs.stream().collect(Collectors.groupingBy(d -> (String) d.get("kind"), TreeMap::new, Collectors.counting()));
        Map<String, Long> expected = new TreeMap<>(Map.of("Deployment", 1L, "Service", 1L, "PodDisruptionBudget", 1L, "Secret", 1L));
        switch (name) {
            case "job-store" -> expected.put("Secret", 2L);
            case "keda" -> {
                expected.put("Secret", 2L);
                expected.put("ScaledObject", 1L);
                expected.put("TriggerAuthentication", 1L);
            }
            case "hpa" -> expected.put("HorizontalPodAutoscaler", 1L);
            default -> { }
        }
        assertEquals(expected, kinds, "what the " + name + " values render");
    }

    static Map<String, Object> one(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> of = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertEquals(1, of.size(), () -> "one " + kind + " in " + docs);
        return of.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Object map, String path) {
        Object at = map;
        for (String key : path.split("\\.")) {
            at = key.matches("\\d+") ? ((List<Object>) at).get(Integer.parseInt(key)) : ((Map<String, Object>) at).get(key);
            if (at == null) {
                return null;
            }
        }
        return (Map<String, Object>) at;
    }

    static Object value(Object map, String path) {
        int dot = path.lastIndexOf('.');
        Map<String, Object> parent = dot < 0 ? (Map<String, Object>) map : at(map, path.substring(0, dot));
        return parent == null ? null : parent.get(path.substring(dot + 1));
    }

    /** The container's environment: name to the entry. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> env(Map<String, Object> deployment) {
        List<Map<String, Object>> env = (List<Map<String, Object>>) value(deployment, "spec.template.spec.containers.0.env");
        Map<String, Map<String, Object>> byName = new TreeMap<>();
        env.forEach(e -> byName.put((String) e.get("name"), e));
        return byName;
    }

    @Test
    void defaultsDrainWithinTheGracePeriodAndBudgetOneEvictionAtATime() throws IOException {
        List<Map<String, Object>> docs = render("defaults", VALUE_SETS.get("defaults"));
        Map<String, Object> d = one(docs, "Deployment");
        assertEquals(2, value(d, "spec.replicas"));
        assertEquals("30s", env(d).get("VMAFX_NODE_DRAIN").get("value"));
        assertEquals(60, value(d, "spec.template.spec.terminationGracePeriodSeconds"), "drain (30 s) + release (30 s)");
        assertEquals(10001, value(d, "spec.template.spec.securityContext.fsGroup"), "Secret files readable by the non-root user");
        assertFalse(env(d).containsKey("VMAFX_JOB_STORE"), "no job store unless asked for");
        Map<String, Object> pdb = one(docs, "PodDisruptionBudget");
        assertEquals(1, value(pdb, "spec.maxUnavailable"));
        assertEquals(value(d, "spec.selector.matchLabels"), value(pdb, "spec.selector.matchLabels"), "the budget covers the Deployment's pods");

        List<Map<String, Object>> longer = render("long-drain", List.of(TOKEN, "node.drainSeconds=600"));
        Map<String, Object> ld = one(longer, "Deployment");
        assertEquals("600s", env(ld).get("VMAFX_NODE_DRAIN").get("value"));
        assertEquals(630, value(ld, "spec.template.spec.terminationGracePeriodSeconds"), "the grace period follows the drain");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJobStoreUrlComesFromASecretAndItsPasswordIsAMountedFile() throws IOException {
        List<Map<String, Object>> docs = render("job-store", VALUE_SETS.get("job-store"));
        Map<String, Object> d = one(docs, "Deployment");
        String secret = "scoring-vmafx-node-job-store";
        assertEquals(Map.of("name", secret, "key", "url"), value(env(d).get("VMAFX_JOB_STORE"), "valueFrom.secretKeyRef"));
        assertEquals("/etc/vmafx/job-store/password", env(d).get("VMAFX_JOB_STORE_PASSWORD_FILE").get("value"));
        List<Map<String, Object>> mounts = (List<Map<String, Object>>) value(d, "spec.template.spec.containers.0.volumeMounts");
        Map<String, Object> mount = mounts.stream().filter(m -> "/etc/vmafx/job-store".equals(m.get("mountPath"))).findFirst().orElseThrow();
        assertEquals(true, mount.get("readOnly"));
        List<Map<String, Object>> volumes = (List<Map<String, Object>>) value(d, "spec.template.spec.volumes");
        Map<String, Object> volume = volumes.stream().filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
        assertEquals(secret, value(volume, "secret.secretName"));
        assertEquals(List.of(Map.of("key", "password", "path", "password")), value(volume, "secret.items"), "only the password is in the file");
        Map<String, Object> s = docs.stream().filter(x -> "Secret".equals(x.get("kind")) && secret.equals(value(x, "metadata.name"))).findFirst().orElseThrow();
        Map<String, String> data = (Map<String, String>) s.get("data");
        assertEquals("postgresql://vmafx@db.example:5433/scoring?sslmode=verify-full", decode(data.get("url")));
        assertEquals("job-store-secret-1", decode(data.get("password")));
        String deployment = JSON.std.asString(d);
        assertFalse(deployment.contains("job-store-secret-1"), "the password is in no pod spec, only in the Secret");

        // An existing Secret instead of values: the chart makes none.
        List<Map<String, Object>> existing = render("job-store-existing", List.of(TOKEN, "jobStore.enabled=true,jobStore.existingSecret=ops-db"));
        assertEquals(Map.of("name", "ops-db", "key", "url"), value(env(one(existing, "Deployment")).get("VMAFX_JOB_STORE"), "valueFrom.secretKeyRef"));
        assertEquals(1, existing.stream().filter(x -> "Secret".equals(x.get("kind"))).count(), "only the token's Secret");
    }

    static String decode(String b64) {
        return new String(java.util.Base64.getDecoder().decode(b64), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @SuppressWarnings("unchecked")
    void kedaScalesTheDeploymentOnQueuedJobsWithTheJobStoresPassword() throws IOException {
        List<Map<String, Object>> docs = render("keda", VALUE_SETS.get("keda"));
        Map<String, Object> d = one(docs, "Deployment");
        assertNull(value(d, "spec.replicas"), "the autoscaler owns the replica count");
        Map<String, Object> so = one(docs, "ScaledObject");
        assertEquals(value(d, "metadata.name"), value(so, "spec.scaleTargetRef.name"));
        Map<String, Object> trigger = ((List<Map<String, Object>>) value(so, "spec.triggers")).get(0);
        assertEquals("postgresql", trigger.get("type"));
        Map<String, Object> meta = (Map<String, Object>) trigger.get("metadata");
        // Taken apart from jobStore.url: host, port, user, database, sslmode.
        assertEquals(Map.of("host", "db.example", "port", "5433", "userName", "vmafx", "dbName", "scoring", "sslmode", "verify-full",
                "query", "SELECT count(*) FROM vmafx_jobs WHERE state = 'queued'", "targetQueryValue", "4"), meta);
        Map<String, Object> auth = one(docs, "TriggerAuthentication");
        assertEquals(value(auth, "metadata.name"), value(trigger, "authenticationRef.name"));
        assertEquals(List.of(Map.of("parameter", "password", "name", "scoring-vmafx-node-job-store", "key", "password")),
                value(auth, "spec.secretTargetRef"));
        assertEquals(1, value(so, "spec.minReplicaCount"));
        assertEquals(10, value(so, "spec.maxReplicaCount"));

        // With an existing Secret the connection's parts are values.
        List<Map<String, Object>> existing = render("keda-existing", List.of(TOKEN, "jobStore.enabled=true,jobStore.existingSecret=ops-db",
                "autoscaling.keda.enabled=true,autoscaling.keda.postgresql.host=pg.internal,autoscaling.keda.postgresql.userName=scorer,"
                        + "autoscaling.keda.postgresql.dbName=jobs"));
        Map<String, Object> m2 = (Map<String, Object>) ((List<Map<String, Object>>) value(one(existing, "ScaledObject"), "spec.triggers")).get(0).get("metadata");
        assertEquals(List.of("pg.internal", "5432", "scorer", "jobs", "require"),
                List.of(m2.get("host"), m2.get("port"), m2.get("userName"), m2.get("dbName"), m2.get("sslmode")));
    }

    @Test
    void theHpaScalesTheDeploymentOnCpu() throws IOException {
        List<Map<String, Object>> docs = render("hpa", VALUE_SETS.get("hpa"));
        Map<String, Object> d = one(docs, "Deployment");
        assertNull(value(d, "spec.replicas"), "the autoscaler owns the replica count");
        Map<String, Object> hpa = one(docs, "HorizontalPodAutoscaler");
        assertEquals(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", value(d, "metadata.name")), value(hpa, "spec.scaleTargetRef"));
        assertEquals("1500m", value(d, "spec.template.spec.containers.0.resources.requests.cpu"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jobStore.enabled=true|jobStore.enabled needs jobStore.existingSecret",
        "jobStore.enabled=true,jobStore.url=mysql://h/db,jobStore.password=p|jobStore.url must be a postgresql:// URL",
        "jobStore.enabled=true,jobStore.url=postgresql://u:pw@h/db,jobStore.password=p|jobStore.url must not carry the password",
        "autoscaling.keda.enabled=true|autoscaling.keda.enabled needs jobStore.enabled",
        "autoscaling.keda.enabled=true,autoscaling.hpa.enabled=true|exclude each other",
        "autoscaling.hpa.enabled=true|autoscaling.hpa.enabled needs resources.requests.cpu",
        "jobStore.enabled=true,jobStore.existingSecret=s,autoscaling.keda.enabled=true|autoscaling.keda: no host, userName or dbName"})
    void contradictingValuesFailTheRenderInOneLine(String setAndMessage) {
        String[] parts = setAndMessage.split("\\|");
        Node.Result r = helm("template", List.of(TOKEN, parts[0]));
        assertNotEquals(0, r.exit(), r::toString);
        assertTrue(r.stderr().contains(parts[1]), () -> "the message names the values: " + r);
        // One line of ours; helm adds its own hint ("Use --debug flag to render out invalid YAML").
        assertEquals(1, r.stderr().lines().filter(l -> !l.isBlank() && !l.startsWith("Use --debug flag")).count(), r::toString);
        assertFalse(r.stderr().contains("pw@"), "the password is not echoed");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemaCheckRejectsWrongTypesUnknownFieldsAndUnknownKinds() throws IOException {
        List<Map<String, Object>> docs = render("defaults-for-faults", VALUE_SETS.get("defaults"));
        Map<String, Object> d = one(docs, "Deployment");
        ((Map<String, Object>) value(d, "spec")).put("replicas", "two");
        at(d, "spec.template.spec.containers.0").put("enviroment", List.of());
        at(d, "spec.template.spec").put("livenessProbe", Map.of());
        at(d, "metadata.labels").put("any-label", "is fine");
        docs.add(Map.of("apiVersion", "v1", "kind", "NoSuchKind", "metadata", Map.of("name", "x")));
        Node.Result r = validate("faults", docs);
        assertEquals(1, r.exit(), r::toString);
        List<String> problems = r.stdout().lines().filter(l -> l.startsWith("problem: ")).toList();
        assertEquals(List.of(
                "problem: Deployment/scoring-vmafx-node /spec/replicas: must be integer",
                "problem: Deployment/scoring-vmafx-node /spec/template/spec/livenessProbe: unknown field (not in the apps/v1 Deployment schema)",
                "problem: Deployment/scoring-vmafx-node /spec/template/spec/containers/0/enviroment: unknown field (not in the apps/v1 Deployment schema)",
                "problem: NoSuchKind/x: no schema for v1 NoSuchKind (ERR_MODULE_NOT_FOUND)").stream().sorted().toList(),
                problems.stream().sorted().toList(), r::toString);
    }
}
