package io.vmafx.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.score.VmafModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

    @TempDir
    Path tmp;

    private NodeConfig load(Map<String, String> env, Map<Variable, String> flags) throws ConfigException {
        return NodeConfig.load(env, flags, tmp.resolve("home"), tmp.resolve("etc/rclone.conf"));
    }

    @Test
    void defaultsWhenNothingIsSet() throws Exception {
        NodeConfig c = load(Map.of(), Map.of());
        assertEquals(StorageMode.HTTP_SERVE, c.storageMode());
        assertEquals("rclone", c.get(Variable.RCLONE_BIN).orElseThrow());
        assertTrue(c.get(Variable.RCLONE_CONFIG).isEmpty(), "no /etc/vmafx/rclone.conf: rclone's own default applies");
        assertFalse(c.bypassEnabled());
        assertEquals("ffprobe", c.ffprobe(), "no bundled ffprobe beside this installation: the PATH's");
        assertEquals(List.of(VmafModel.DEFAULT), c.defaultModels());
        assertEquals(Runtime.getRuntime().availableProcessors(), c.scoreThreads());
        assertEquals(tmp.resolve("home/plugins"), c.pluginsDir());
        assertEquals("default", c.sourceOf("VMAFX_STORAGE_MODE"));
    }

    @Test
    void mountRootAndProbePrefixAgreeOutOfTheBox() throws Exception {
        NodeConfig c = load(Map.of(), Map.of());
        assertEquals(c.get(Variable.STORAGE_MOUNT_ROOT), c.get(Variable.EBPF_MOUNT_PREFIX));
        NodeConfig moved = load(Map.of("VMAFX_STORAGE_MOUNT_ROOT", "/mnt/vmafx"), Map.of());
        assertEquals("/mnt/vmafx", moved.get(Variable.EBPF_MOUNT_PREFIX).orElseThrow(),
                "the probe follows the mount root unless told otherwise");
    }

    @Test
    void flagsOverrideEnvironmentWhichOverridesDefaults() throws Exception {
        Map<String, String> env = Map.of("VMAFX_STORAGE_MODE", "mount", "VMAFX_RCLONE_BIN", "/opt/rclone");
        NodeConfig envOnly = load(env, Map.of());
        assertEquals(StorageMode.MOUNT, envOnly.storageMode());
        assertEquals("VMAFX_STORAGE_MODE", envOnly.sourceOf("VMAFX_STORAGE_MODE"));

        NodeConfig withFlag = load(env, Map.of(Variable.STORAGE_MODE, "local"));
        assertEquals(StorageMode.LOCAL, withFlag.storageMode());
        assertEquals("--storage-mode", withFlag.sourceOf("VMAFX_STORAGE_MODE"));
        assertEquals("/opt/rclone", withFlag.get(Variable.RCLONE_BIN).orElseThrow(), "unflagged values keep the environment's");
    }

    @Test
    void etcRcloneConfigIsTheFallbackWhenPresent() throws Exception {
        Path etc = tmp.resolve("etc/rclone.conf");
        Files.createDirectories(etc.getParent());
        Files.writeString(etc, "[media]\ntype = local\n");
        assertEquals(etc.toString(), load(Map.of(), Map.of()).get(Variable.RCLONE_CONFIG).orElseThrow());
        Path mine = Files.writeString(tmp.resolve("mine.conf"), "");
        assertEquals(mine.toString(), load(Map.of("VMAFX_RCLONE_CONFIG", mine.toString()), Map.of())
                .get(Variable.RCLONE_CONFIG).orElseThrow());
    }

    @Test
    void pluginVariablesPassThroughToProviders() throws Exception {
        NodeConfig c = load(Map.of("VMAFX_MYPLUGIN_TOKEN", "abc", "PATH", "/bin"), Map.of());
        assertEquals("abc", c.get("VMAFX_MYPLUGIN_TOKEN").orElseThrow());
        assertTrue(c.get("PATH").isEmpty(), "only VMAFX_ variables are settings");
    }

    @Test
    void badValuesStopStartupWithOneLineNamingTheVariable() {
        assertMessage("VMAFX_STORAGE_MODE: unknown storage mode 'fuse', expected one of http-serve, mount, local, auto",
                Map.of("VMAFX_STORAGE_MODE", "fuse"), Map.of());
        assertMessage("--storage-mode: unknown storage mode 'nfs', expected one of http-serve, mount, local, auto",
                Map.of(), Map.of(Variable.STORAGE_MODE, "nfs"));
        assertMessage("VMAFX_EBPF_BYPASS: expected 1/true/yes/on or 0/false/no/off, got 'maybe'",
                Map.of("VMAFX_EBPF_BYPASS", "maybe"), Map.of());
        assertMessage("--ebpf-bypass: expected 1/true/yes/on or 0/false/no/off, got 'sure'",
                Map.of(), Map.of(Variable.EBPF_BYPASS, "sure"));
        assertMessage("VMAFX_STORAGE_MOUNT_ROOT: expected an absolute path, got 'mnt'",
                Map.of("VMAFX_STORAGE_MOUNT_ROOT", "mnt"), Map.of());
        assertMessage("VMAFX_RCLONE_CONFIG: no such file /nonexistent/rclone.conf",
                Map.of("VMAFX_RCLONE_CONFIG", "/nonexistent/rclone.conf"), Map.of());
        assertMessage("VMAFX_PLUGINS_DIR: not a directory: /nonexistent/plugins",
                Map.of("VMAFX_PLUGINS_DIR", "/nonexistent/plugins"), Map.of());
        assertMessage("VMAFX_VMAF_MODEL: model file /nonexistent/model.json is not a readable file",
                Map.of("VMAFX_VMAF_MODEL", "/nonexistent/model.json"), Map.of());
        assertMessage("--model: unknown model 'vmaf_v9'; built in: vmaf_v0.6.1, vmaf_v0.6.1neg, vmaf_4k_v0.6.1 (add :phone"
                + " for the phone model), or a libvmaf .json model file", Map.of(), Map.of(Variable.VMAF_MODEL, "vmaf_v9"));
        assertMessage("VMAFX_SCORER: unknown scorer 'x', expected libvmaf or vmaf", Map.of("VMAFX_SCORER", "x"), Map.of());
        assertMessage("VMAFX_SCORE_THREADS: expected a whole number from 1 to 9999, got '0'",
                Map.of("VMAFX_SCORE_THREADS", "0"), Map.of());
        assertMessage("VMAFX_MODELS_DIR: not an absolute path to a directory: /nonexistent/models",
                Map.of("VMAFX_MODELS_DIR", "/nonexistent/models"), Map.of());
        assertMessage("VMAFX_REMOTE_S3: 'bad/name' is not an rclone remote name", Map.of("VMAFX_REMOTE_S3", "bad/name"), Map.of());
    }

    @Test
    void modelsByNameFileAndPhoneAndTheBundledFfprobe() throws Exception {
        Path json = Files.writeString(tmp.resolve("custom.json"), "{}");
        NodeConfig c = load(Map.of("VMAFX_VMAF_MODEL", "vmaf_v0.6.1:phone, vmaf_v0.6.1neg," + json), Map.of());
        assertEquals(List.of(new VmafModel("vmaf_v0.6.1", null, true), new VmafModel("vmaf_v0.6.1neg", null, false),
                new VmafModel(null, json, false)), c.defaultModels());
        assertEquals("vmaf_v0.6.1_phone", c.defaultModels().get(0).label());
        Path ffprobe = tmp.resolve("home/.tools/ffprobe/ffprobe");
        Files.createDirectories(ffprobe.getParent());
        Files.writeString(ffprobe, "#!/bin/sh\n");
        ffprobe.toFile().setExecutable(true);
        assertEquals(ffprobe.toString(), load(Map.of(), Map.of()).ffprobe(), "the ffprobe scripts/setup.sh installs");
    }

    @Test
    void apiModelFilesComeOnlyFromTheModelsDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Path inside = Files.writeString(dir.resolve("mine.json"), "{}");
        Path outside = Files.writeString(tmp.resolve("other.json"), "{}");
        NodeConfig c = load(Map.of("VMAFX_MODELS_DIR", dir.toString()), Map.of());
        assertEquals(inside.toRealPath(), c.parseModels("mine.json", false).get(0).file());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> c.parseModels(outside.toString(), false));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.parseModels("gone.json", false));
        assertEquals("model '" + outside + "' is not a .json file in the node's models directory", out.getMessage());
        assertEquals("model 'gone.json' is not a .json file in the node's models directory", missing.getMessage(),
                "the same words for a missing file and one outside the directory");
        assertThrows(IllegalArgumentException.class, () -> c.parseModels("../other.json", false));
        assertEquals(outside.toAbsolutePath(), c.parseModels(outside.toString(), true).get(0).file(), "the CLI may name any file");
    }

    @Test
    void cloudSchemesMapToConfiguredRemotes() throws Exception {
        NodeConfig c = load(Map.of("VMAFX_REMOTE_S3", "s3-prod"), Map.of(Variable.REMOTE_GCS, "gcs-eu:"));
        var rules = c.uriRules(Set.of(), Set.of());
        assertEquals("s3-prod", rules.remoteFor("s3"));
        assertEquals("gcs-eu", rules.remoteFor("gcs"));
        assertEquals("azblob", rules.remoteFor("azblob"));
    }

    @Test
    void configuredRemotesComeFromTheConfigFileAndEnvironment() throws Exception {
        Path conf = Files.writeString(tmp.resolve("rclone.conf"), "[media]\ntype = local\n\n[s3-prod]\ntype = s3\n");
        NodeConfig c = load(Map.of("VMAFX_RCLONE_CONFIG", conf.toString()), Map.of());
        assertEquals(Set.of("media", "s3-prod", "box"),
                RcloneRemotes.configured(c, Map.of("RCLONE_CONFIG_BOX_TYPE", "webdav")));
    }

    @Test
    void theRcloneConfigFileIsCheckedAtStartUpWithOneRightLineForEachWayItCanBeBad() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("conf.d"));
        assertMessage("VMAFX_RCLONE_CONFIG: " + dir + " is a directory, not an rclone config file",
                Map.of("VMAFX_RCLONE_CONFIG", dir.toString()), Map.of());
        Path bad = Files.writeString(tmp.resolve("bad.conf"), "[media]\ntype = local\nsecret_access_key wJalrXUtnFEMI\n");
        assertMessage("--rclone-config: " + bad + " is not an rclone config file rclone can read: line 3 is neither [section],"
                + " key = value nor a comment", Map.of(), Map.of(Variable.RCLONE_CONFIG, bad.toString()));
        Path header = Files.writeString(tmp.resolve("header.conf"), "# mine\n[media\ntype = local\n");
        assertMessage("VMAFX_RCLONE_CONFIG: " + header + " is not an rclone config file rclone can read: line 2 is a section header"
                + " that does not end with ']'", Map.of("VMAFX_RCLONE_CONFIG", header.toString()), Map.of());
        Path binary = Files.write(tmp.resolve("binary.conf"), new byte[] {0, 0, 0});
        assertMessage("VMAFX_RCLONE_CONFIG: " + binary + " is not an rclone config file rclone can read: line 1 is neither [section],"
                + " key = value nor a comment", Map.of("VMAFX_RCLONE_CONFIG", binary.toString()), Map.of());
        // A bad /etc/vmafx/rclone.conf, the default, is as bad as one that was named.
        Path etc = tmp.resolve("etc/rclone.conf");
        Files.createDirectories(etc.getParent());
        Files.writeString(etc, "[]\ntype = local\n");
        assertMessage("VMAFX_RCLONE_CONFIG: " + etc + " is not an rclone config file rclone can read: line 1 is a section header"
                + " without a name", Map.of(), Map.of());
    }

    @Test
    void rcloneConfigFilesRcloneReadsAreAccepted() throws Exception {
        for (String text : new String[] {"", "\n\n", "\uFEFF[a]\ntype = local\n", "  [ a ]  \n\ttype: local\r\n; c\n# c\n",
                "x = 1\n[a]\ntype=local", "[a]]\ntype = local\n",
                "# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\nAAAA/+==\n"}) {
            Path f = Files.writeString(tmp.resolve("ok.conf"), text);
            assertEquals(f.toString(), load(Map.of("VMAFX_RCLONE_CONFIG", f.toString()), Map.of()).get(Variable.RCLONE_CONFIG).orElseThrow(),
                    () -> "accepted: " + text);
        }
    }

    @Test
    void theReadTimeoutIsAPositiveDuration() {
        assertMessage("VMAFX_READ_TIMEOUT: expected a duration such as 500ms, 15s, 2m or 1h, got 'soon'",
                Map.of("VMAFX_READ_TIMEOUT", "soon"), Map.of());
        assertMessage("VMAFX_READ_TIMEOUT: must be more than 0 (a read that may wait forever is what it prevents)",
                Map.of("VMAFX_READ_TIMEOUT", "0"), Map.of());
    }

    private void assertMessage(String expected, Map<String, String> env, Map<Variable, String> flags) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(env, flags));
        assertEquals(expected, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
