package io.vmafx.core.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code count} connections to the API that each send half a request header and then nothing, held until
 * {@link #close()}: a connection the server closes (its header deadline) is opened again at once, so that the
 * server always has {@code count} stalled clients. Meanwhile {@link #healthzMillis} measures what a well-behaved
 * client waits for {@code /healthz}, each request on a connection of its own.
 */
final class SlowClients implements AutoCloseable {

    private static final byte[] HALF_HEADER = ("GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII);

    private final URI uri;
    private final int count;
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread keeper;
    private final List<Double> healthz = new ArrayList<>();
    private final Thread prober;
    private final AtomicInteger reopened = new AtomicInteger();
    private final AtomicInteger healthzFailed = new AtomicInteger();
    private volatile boolean stopping;

    private SlowClients(String url, int count) {
        this.uri = URI.create(url);
        this.count = count;
        this.keeper = new Thread(this::keep, "vmafx-bench-slow-clients");
        this.prober = new Thread(this::probe, "vmafx-bench-healthz");
    }

    /** Opens the connections and starts holding them and probing {@code /healthz} every {@code 100 ms}. */
    static SlowClients start(String url, int count) {
        SlowClients s = new SlowClients(url, count);
        s.keeper.setDaemon(true);
        s.prober.setDaemon(true);
        s.keeper.start();
        s.prober.start();
        return s;
    }

    private Socket open() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write(HALF_HEADER);
        out.flush();
        return socket;
    }

    /** Keeps {@code count} connections open: one the server closed (read returns -1) is replaced. */
    private void keep() {
        try {
            while (!stopping) {
                synchronized (sockets) {
                    sockets.removeIf(s -> {
                        try {
                            s.setSoTimeout(1);
                            if (s.getInputStream().read() < 0) {
                                s.close();
                                reopened.incrementAndGet();
                                return true;
                            }
                        } catch (java.net.SocketTimeoutException e) {
                            return false; // still open, nothing said: what a stalled client sees
                        } catch (IOException e) {
                            closeQuietly(s);
                            reopened.incrementAndGet();
                            return true;
                        }
                        return false;
                    });
                    while (!stopping && sockets.size() < count) {
                        try {
                            sockets.add(open());
                        } catch (IOException e) {
                            break; // the server is going away; try again on the next round
                        }
                    }
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void probe() {
        try {
            while (!stopping) {
                long t0 = System.nanoTime();
                try {
                    LoadBench.Answer a = LoadBench.request("GET", uri + "/healthz", null);
                    if (a.status() == 200) {
                        synchronized (healthz) {
                            healthz.add((System.nanoTime() - t0) / 1e6);
                        }
                    } else {
                        healthzFailed.incrementAndGet();
                    }
                } catch (IOException e) {
                    healthzFailed.incrementAndGet();
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The {@code /healthz} round trips measured so far, in milliseconds. */
    List<Double> healthzMillis() {
        synchronized (healthz) {
            return List.copyOf(healthz);
        }
    }

    /** {@code /healthz} requests that got no 200 (refused, timed out, another status). */
    int healthzFailed() {
        return healthzFailed.get();
    }

    /** Connections the server closed (its header deadline) and that were opened again. */
    int reopened() {
        return reopened.get();
    }

    /** How many are held now. */
    int held() {
        synchronized (sockets) {
            return sockets.size();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        keeper.interrupt();
        prober.interrupt();
        keeper.join(TimeUnit.SECONDS.toMillis(10));
        prober.join(TimeUnit.SECONDS.toMillis(70));
        synchronized (sockets) {
            sockets.forEach(SlowClients::closeQuietly);
            sockets.clear();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
