package io.vmafx.jobstore.postgresql;

import io.vmafx.spi.NodeSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the database is and who the node is there: {@code postgresql://host[:port]/database[?sslmode=MODE]} from
 * {@code VMAFX_JOB_STORE}, the user from {@code VMAFX_JOB_STORE_USER} (default {@code vmafx}), the password from the
 * file {@code VMAFX_JOB_STORE_PASSWORD_FILE} (its first line) or the variable {@code VMAFX_JOB_STORE_PASSWORD}. A user
 * or password in the URL is refused: the URL is a setting that may reach a command line and logs.
 *
 * @param describe the URL as logs show it
 */
record StoreLocation(String host, int port, String database, String sslMode, String user, String password, String describe) {

    static final String USER = "VMAFX_JOB_STORE_USER";
    static final String PASSWORD = "VMAFX_JOB_STORE_PASSWORD";
    static final String PASSWORD_FILE = "VMAFX_JOB_STORE_PASSWORD_FILE";
    /** The most a password file may hold: a password is a line, not a document. */
    static final int MAX_PASSWORD_FILE = 4096;

    static StoreLocation parse(String location, NodeSettings settings) {
        URI uri;
        try {
            uri = new URI(location.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL postgresql://host:port/database: " + e.getReason());
        }
        if (!"postgresql".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("expected postgresql://host:port/database");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("no user or password in the URL: set " + USER + " and "
                    + PASSWORD_FILE + " (or " + PASSWORD + ")");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("expected postgresql://host:port/database: no host");
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.matches("/[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}")) {
            throw new IllegalArgumentException("expected postgresql://host:port/database with a database name of letters,"
                    + " digits, _ and - (up to 63)");
        }
        String sslMode = null;
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.matches("sslmode=(disable|allow|prefer|require|verify-ca|verify-full)")) {
                    sslMode = pair.substring("sslmode=".length());
                } else {
                    throw new IllegalArgumentException("the only query parameter taken is sslmode=disable|allow|prefer|require|verify-ca|verify-full");
                }
            }
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("expected postgresql://host:port/database, without a #fragment");
        }
        String user = settings.get(USER).map(String::strip).filter(s -> !s.isEmpty()).orElse("vmafx");
        if (!user.matches("[A-Za-z0-9_.@-]{1,63}")) {
            throw new IllegalArgumentException(USER + ": a user name of letters, digits and _.@- (up to 63)");
        }
        String password = password(settings).orElse(null);
        String hostText = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return new StoreLocation(host, port, path.substring(1), sslMode, user, password,
                "postgresql://" + hostText + ":" + port + path + (sslMode == null ? "" : "?sslmode=" + sslMode));
    }

    private static Optional<String> password(NodeSettings settings) {
        Optional<Path> file = settings.path(PASSWORD_FILE);
        if (file.isPresent()) {
            Path p = file.get();
            try {
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(PASSWORD_FILE + ": not a readable file: " + p);
                }
                if (Files.size(p) > MAX_PASSWORD_FILE) {
                    throw new IllegalArgumentException(PASSWORD_FILE + ": larger than " + MAX_PASSWORD_FILE + " bytes: " + p);
                }
                String text = Files.readString(p, StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                String line = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
                if (line.isEmpty()) {
                    throw new IllegalArgumentException(PASSWORD_FILE + ": the file's first line is empty: " + p);
                }
                return Optional.of(line);
            } catch (IOException e) {
                throw new IllegalArgumentException(PASSWORD_FILE + ": cannot read " + p + ": " + e.getMessage());
            }
        }
        return settings.get(PASSWORD).filter(s -> !s.isEmpty());
    }

    /** The JDBC URL (no credentials) and the driver's properties (with them). */
    String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + database;
    }

    Properties properties(int connectSeconds, int socketSeconds) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        if (sslMode != null) {
            p.setProperty("sslmode", sslMode);
        }
        p.setProperty("connectTimeout", Integer.toString(connectSeconds));
        p.setProperty("loginTimeout", Integer.toString(connectSeconds));
        // No query may wait forever on a database that went silent: the socket read times out.
        p.setProperty("socketTimeout", Integer.toString(socketSeconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "vmafx-node");
        return p;
    }

    @Override
    public String toString() {
        return describe; // never the password
    }
}
