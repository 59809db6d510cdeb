package io.vmafx.storage.httpserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListeningPortsTest {

    @Test
    void findsThePortThisJvmListensOn() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            // The connected client socket is ours too, but it does not listen.
            assertTrue(client.isConnected());
            assertEquals(OptionalInt.of(server.getLocalPort()), ListeningPorts.of(ProcessHandle.current().pid()));
        }
    }

    @Test
    void readsOnlyListeningRowsOfTheGivenInodes() {
        String listen = "   1: 0100007F:B069 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18810 1 0000000 100 0 0 10 0";
        String established = "   2: 0100007F:8DFC 0100007F:9521 01 00000000:00000000 00:00000000 00000000     0        0 18811 1 0000000";
        assertEquals(OptionalInt.of(0xB069), ListeningPorts.listeningPort(listen, Set.of(18810L)));
        assertEquals(OptionalInt.empty(), ListeningPorts.listeningPort(listen, Set.of(1L)));
        assertEquals(OptionalInt.empty(), ListeningPorts.listeningPort(established, Set.of(18811L)));
        assertEquals(OptionalInt.empty(), ListeningPorts.listeningPort("garbage", Set.of(18810L)));
    }

    @Test
    void aProcessThatIsGoneListensOnNothing() {
        assertEquals(OptionalInt.empty(), ListeningPorts.of(Long.MAX_VALUE));
    }
}
