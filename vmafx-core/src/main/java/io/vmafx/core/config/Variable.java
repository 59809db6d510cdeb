package io.vmafx.core.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * The environment variables the node reads, each with the command-line flag that overrides it. The
 * {@code providers} command and the README list them from here, and the Helm chart's test checks its
 * variables against this list.
 */
public enum Variable {
    STORAGE_MODE("VMAFX_STORAGE_MODE", "--storage-mode", "http-serve, mount, local or auto (default http-serve)"),
    RCLONE_BIN("VMAFX_RCLONE_BIN", "--rclone-bin", "the rclone executable (default: rclone on PATH)"),
    RCLONE_CONFIG("VMAFX_RCLONE_CONFIG", "--rclone-config", "rclone.conf (default /etc/vmafx/rclone.conf if present, else rclone's own default)"),
    STORAGE_MOUNT_ROOT("VMAFX_STORAGE_MOUNT_ROOT", "--mount-root", "where rclone mounts go (default /run/vmafx/mounts)"),
    CACHE_DIR("VMAFX_CACHE_DIR", "--cache-dir", "rclone's VFS cache directory (default /var/cache/vmafx)"),
    EBPF_BYPASS("VMAFX_EBPF_BYPASS", "--ebpf-bypass", "1 turns the eBPF FUSE bypass on (default 0)"),
    EBPF_MOUNT_PREFIX("VMAFX_EBPF_MOUNT_PREFIX", "--ebpf-mount-prefix", "the mount prefix the probe watches (default: the mount root)"),
    FFPROBE("VMAFX_FFPROBE", "--ffprobe", "the ffprobe with libvmaf 2.3 (default: the one scripts/setup.sh installs, tools/ffprobe in an image, else ffprobe on PATH)"),
    VMAF_MODEL("VMAFX_VMAF_MODEL", "--model", "the VMAF models of a job that names none, comma-separated: vmaf_v0.6.1 (default), vmaf_v0.6.1neg, vmaf_4k_v0.6.1, :phone after one for the phone model, or a libvmaf .json file"),
    MODELS_DIR("VMAFX_MODELS_DIR", "--models-dir", "libvmaf .json model files jobs may name (the job API takes model files from here only; default: none)"),
    SCORER("VMAFX_SCORER", "--scorer", "libvmaf (libvmaf 2.3 through ffprobe, default) or vmaf (Netflix's vmaf tool)"),
    SCORE_THREADS("VMAFX_SCORE_THREADS", "--threads", "libvmaf threads per job (default: the cores the node may use)"),
    VMAF_BIN("VMAFX_VMAF_BIN", "--vmaf-bin", "Netflix's vmaf executable for --scorer vmaf (default: vmaf on PATH)"),
    STALL_TIMEOUT("VMAFX_STALL_TIMEOUT", "--stall-timeout", "a job whose scoring compares no frame for this long fails, its blocked reads aborted (default 60s; 0: never)"),
    JOB_DEADLINE("VMAFX_JOB_DEADLINE", "--job-deadline", "the longest a job may run before it fails (default 0: no limit)"),
    PLUGINS_DIR("VMAFX_PLUGINS_DIR", "--plugins-dir", "third-party plugin jars (default plugins/ beside the installation)"),
    REMOTE_S3("VMAFX_REMOTE_S3", "--remote-s3", "the rclone remote s3:// URIs use (default s3)"),
    REMOTE_GCS("VMAFX_REMOTE_GCS", "--remote-gcs", "the rclone remote gcs:// URIs use (default gcs)"),
    REMOTE_AZBLOB("VMAFX_REMOTE_AZBLOB", "--remote-azblob", "the rclone remote azblob:// URIs use (default azblob)"),
    NODE_ADDR("VMAFX_NODE_ADDR", "--addr", "serve: the address the API binds (default 127.0.0.1; any other needs VMAFX_NODE_TOKEN)"),
    NODE_PORT("VMAFX_NODE_PORT", "--port", "serve: the API's TCP port (default 8080; 0: the kernel picks one)"),
    NODE_SLOTS("VMAFX_NODE_SLOTS", "--slots", "serve: how many jobs run at once (default 2)"),
    NODE_QUEUE("VMAFX_NODE_QUEUE", "--queue", "serve: how many jobs wait for a slot; beyond that a submission gets 429 (default 32)"),
    NODE_TOKEN("VMAFX_NODE_TOKEN", "--token", "serve: the bearer token the API requires (required when not bound to loopback; prefer the variable)"),
    NODE_DRAIN("VMAFX_NODE_DRAIN", "--drain", "serve: on SIGTERM, how long running jobs may finish before they are cancelled (default 30s)"),
    NODE_HEADER_TIMEOUT("VMAFX_NODE_HEADER_TIMEOUT", "--header-timeout",
            "serve: how long a connection may take to send a request's line and headers, from its opening or its last answer; then it is closed (default 10s)"),
    NODE_BODY_TIMEOUT("VMAFX_NODE_BODY_TIMEOUT", "--body-timeout",
            "serve: how long a request's body may take to arrive; then 408 and the connection is closed (default 10s)"),
    NODE_MAX_CONNECTIONS("VMAFX_NODE_MAX_CONNECTIONS", "--max-connections",
            "serve: client connections open at once; further ones wait in the kernel's accept queue (default 512)"),
    JOB_STORE("VMAFX_JOB_STORE", "--job-store",
            "serve: where jobs are kept: unset or memory (this node alone, the default), or postgresql://host:port/db (a fleet of nodes on one queue; credentials from VMAFX_JOB_STORE_PASSWORD_FILE or the environment)"),
    API_LOCAL_ROOTS("VMAFX_API_LOCAL_ROOTS", "--api-local-roots",
            "serve: directories (separated by ':') below which API jobs may read local files (default: none)"),
    API_HOSTS("VMAFX_API_HOSTS", "--api-hosts",
            "serve: hosts (comma-separated; host, host:port, or * for any) API jobs may read http(s):// URLs and on-the-fly remotes from (default: none)"),
    API_ONTHEFLY("VMAFX_API_ONTHEFLY", "--api-onthefly",
            "serve: 1 lets API jobs use on-the-fly rclone remotes (:backend,...:path, sftp://) with allow-listed options, to VMAFX_API_HOSTS (default 0)");

    /**
     * Variables core reads that have no flag: {@code VMAFX_LOG_LEVEL} (read before the command line is parsed) and
     * {@code VMAFX_READ_TIMEOUT} (shared with the rclone providers, which have no flags).
     */
    public static final java.util.Set<String> WITHOUT_FLAG = java.util.Set.of("VMAFX_LOG_LEVEL", "VMAFX_READ_TIMEOUT");

    private final String env;
    private final String flag;
    private final String description;

    Variable(String env, String flag, String description) {
        this.env = env;
        this.flag = flag;
        this.description = description;
    }

    /** The environment variable's name, also the key in {@link io.vmafx.spi.NodeSettings}. */
    public String env() {
        return env;
    }

    /** Whether only a serving node reads it (the API's address, slots, limits, input policy): {@code serve} and {@code bench load}. */
    public boolean serveOnly() {
        return description.startsWith("serve:");
    }

    /** The command-line flag that overrides it. */
    public String flag() {
        return flag;
    }

    public String description() {
        return description;
    }

    public static Optional<Variable> byEnv(String name) {
        return Arrays.stream(values()).filter(v -> v.env.equals(name)).findFirst();
    }
}
