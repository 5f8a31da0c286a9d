package dev.headend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free ports on the loopback address, for servers a test starts. A port is never handed out twice
 * by one JVM. (Another process can still take it between this check and the bind; tests bind right
 * away.)
 */
public final class FreePorts {
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port free for both TCP and UDP on 127.0.0.1 (DNS servers need both). */
  public static int tcpAndUdp() {
    for (int attempt = 0; attempt < 200; attempt++) {
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.setReuseAddress(false);
        tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        int port = tcp.getLocalPort();
        if (GIVEN.contains(port)) {
          continue;
        }
        if (udpFree(port) && GIVEN.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot bind any loopback port", e);
      }
    }
    throw new IllegalStateException("no loopback port free for both TCP and UDP after 200 tries");
  }

  private static boolean udpFree(int port) {
    try (DatagramSocket udp =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      return udp.getLocalPort() == port;
    } catch (IOException e) {
      return false; // taken by someone else
    }
  }

  /** An address on 127.0.0.1 with a port from {@link #tcpAndUdp()}. */
  public static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpAndUdp());
  }
}
