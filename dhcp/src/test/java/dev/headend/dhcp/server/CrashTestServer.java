package dev.headend.dhcp.server;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The server side of {@link JournalCrashTest}, run in a child JVM that the test kills with -9:
 * reads one hex datagram per stdin line, hands it to a {@link DhcpServer} on a journal store, and
 * prints each reply as {@code TX hex} (after the store synced, as on the wire), then {@code DONE}.
 */
public final class CrashTestServer {
  static final Ipv4Address SERVER = Ipv4Address.parse("10.99.0.1");

  private CrashTestServer() {}

  static DhcpServer.Builder config() {
    return DhcpServer.builder(SERVER)
        .subnet(
            Subnet.builder(IpPrefix.parse("10.99.0.0/16"))
                .pool(Ipv4Address.parse("10.99.1.0"), Ipv4Address.parse("10.99.1.63"))
                .build());
  }

  /**
   * Arguments: the store directory, then {@code async} to fsync on a helper thread ({@link
   * DhcpServer#forceAsync}); a request's replies are printed once no ACK waits for a force.
   */
  public static void main(String[] args) throws Exception {
    HexFormat hex = HexFormat.of();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    boolean async = args.length > 1 && args[1].equals("async");
    ExecutorService forcer = Executors.newSingleThreadExecutor();
    Semaphore forced = new Semaphore(0);
    try (LeaseStore store = LeaseStore.journal(Path.of(args[0]), 40, true)) {
      DhcpServer server = config().leaseStore(store).build();
      if (async) {
        server.forceAsync(forcer, forced::release);
      }
      out.println("READY " + server.leases().size());
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      InetSocketAddress from = new InetSocketAddress("0.0.0.0", 68);
      ByteBuffer buf = ByteBuffer.allocate(65_535);
      String line;
      while ((line = in.readLine()) != null) {
        server.handle(Instant.now(), from, ByteBuffer.wrap(hex.parseHex(line)));
        while (true) {
          while (server.pollTransmit(buf.clear()) != null) {
            buf.flip();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            out.println("TX " + hex.formatHex(b));
          }
          boolean events = false;
          while (server.pollEvent() != null) {
            events = true; // polling may have released ACKs (a completed force): poll them too
          }
          if (server.awaitingForce() > 0) {
            forced.acquire(); // a force completed: its ACKs come out of the next poll
          } else if (!events) {
            break;
          }
        }
        out.println("DONE");
        out.flush();
      }
    } finally {
      forcer.shutdown();
    }
  }
}
