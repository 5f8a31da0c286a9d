package dev.headend.dhcp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.testkit.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of a server process on the journal store while clients churn, several times: after each
 * restart every ACKed lease is still there, bound to its client, and no address was ever ACKed to a
 * second client while the first held it.
 */
class JournalCrashTest {
  private static final int CLIENTS = 90; // more than the 64 addresses: some get none
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  /** What a client was told in its last ACK. */
  private record Acked(int client, Ipv4Address address, Instant expires) {}

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void killDashNineAtRandomPointsLosesNoAckedLeaseAndNeverDoubleAssigns(String fsync)
      throws Exception {
    Random random = new Random(20_301);
    Map<Integer, Acked> byClient = new HashMap<>();
    Map<Ipv4Address, Acked> byAddress = new HashMap<>();
    int totalAcks = 0;
    int rounds = 6;
    for (int round = 0; round < rounds; round++) {
      Process p =
          new ProcessBuilder(Proc.java(CrashTestServer.class, dir.toString(), fsync))
              .redirectError(dir.resolve(fsync + "-child-" + round + ".err").toFile())
              .start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> readLines(p, lines), "crash-test-reader");
      reader.start();
      try {
        String ready = lines.poll(30, TimeUnit.SECONDS);
        assertTrue(ready != null && ready.startsWith("READY"), "child said " + ready);
        long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(900));
        OutputStream in = p.getOutputStream();
        int xid = round << 24;
        churn:
        while (true) {
          int c = random.nextInt(CLIENTS);
          MacAddress mac = new MacAddress(0x0200_0000_0000L + c);
          Acked mine = byClient.get(c);
          List<DhcpMessage> msgs = new ArrayList<>();
          int action = random.nextInt(10);
          if (mine != null && action < 2) {
            msgs.add(
                DhcpMessage.builder()
                    .xid(xid++)
                    .chaddr(mac)
                    .messageType(DhcpMessageType.RELEASE)
                    .ciaddr(mine.address())
                    .serverIdentifier(CrashTestServer.SERVER)
                    .build());
            byClient.remove(c);
            byAddress.remove(mine.address());
          } else if (mine != null && action < 5) {
            msgs.add(
                DhcpMessage.builder()
                    .xid(xid++)
                    .chaddr(mac)
                    .messageType(DhcpMessageType.REQUEST)
                    .ciaddr(mine.address())
                    .build());
          } else {
            msgs.add(
                DhcpMessage.builder()
                    .xid(xid++)
                    .chaddr(mac)
                    .messageType(DhcpMessageType.DISCOVER)
                    .build());
          }
          while (!msgs.isEmpty()) {
            if (System.nanoTime() >= killAt) {
              p.destroyForcibly();
            }
            try {
              in.write(
                  (HEX.formatHex(msgs.remove(0).encode()) + "\n")
                      .getBytes(StandardCharsets.US_ASCII));
              in.flush();
            } catch (IOException dead) {
              break churn;
            }
            while (true) {
              String line = lines.poll(10, TimeUnit.SECONDS);
              if (line == null) {
                fail("child stopped answering");
              }
              if (line.equals("EOF")) {
                break churn;
              }
              if (line.equals("DONE")) {
                break;
              }
              DhcpMessage reply = parse(line);
              if (reply == null) {
                continue; // a line cut by the kill
              }
              DhcpMessageType type = reply.messageType().orElseThrow();
              if (type == DhcpMessageType.OFFER) {
                msgs.add(
                    DhcpMessage.builder()
                        .xid(reply.xid())
                        .chaddr(mac)
                        .messageType(DhcpMessageType.REQUEST)
                        .requestedAddress(reply.yiaddr())
                        .serverIdentifier(CrashTestServer.SERVER)
                        .build());
              } else if (type == DhcpMessageType.ACK) {
                totalAcks++;
                Ipv4Address a = reply.yiaddr();
                Instant expires = Instant.now().plusSeconds(reply.leaseTime().orElseThrow() - 5);
                Acked holder = byAddress.get(a);
                if (holder != null && holder.client() != c) {
                  fail(
                      a
                          + " ACKed to client "
                          + c
                          + " while client "
                          + holder.client()
                          + " holds it");
                }
                Acked old = byClient.put(c, new Acked(c, a, expires));
                if (old != null && !old.address().equals(a)) {
                  byAddress.remove(old.address());
                }
                byAddress.put(a, new Acked(c, a, expires));
              } else if (type == DhcpMessageType.NAK) {
                Acked old = byClient.remove(c);
                if (old != null) {
                  byAddress.remove(old.address());
                }
              }
            }
          }
        }
      } finally {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
      }
      // the child is dead: what its journal holds must cover every ACK it sent
      try (LeaseStore store = LeaseStore.journal(dir)) {
        Map<Ipv4Address, Lease> stored = new HashMap<>();
        Map<ClientKey, Lease> boundTo = new HashMap<>();
        for (Lease l : store.load()) {
          stored.put(l.address(), l);
          if (l.state() == Lease.State.BOUND) {
            Lease twice = boundTo.put(l.client(), l);
            assertEquals(null, twice, () -> l.client() + " bound twice");
          }
        }
        for (Acked a : byClient.values()) {
          Lease l = stored.get(a.address());
          ClientKey key = ClientKey.ofMac(new MacAddress(0x0200_0000_0000L + a.client()));
          assertTrue(l != null, () -> "round lost the lease of " + a);
          assertEquals(key, l.client(), () -> a + " now " + l);
          assertEquals(Lease.State.BOUND, l.state(), () -> a + " now " + l);
          assertTrue(!l.time().isBefore(a.expires()), () -> a + " now " + l);
        }
      }
    }
    System.out.printf(
        "crash test: %d ACKs across %d kill -9 rounds, none lost%n", totalAcks, rounds);
    assertTrue(totalAcks > rounds * 5, "the churn ACKed " + totalAcks + " leases");
  }

  private static DhcpMessage parse(String line) {
    if (!line.startsWith("TX ")) {
      return null;
    }
    try {
      return DhcpCodec.decode(HEX.parseHex(line.substring(3)));
    } catch (IllegalArgumentException | MalformedDhcpMessageException e) {
      return null;
    }
  }

  private static void readLines(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("ERR " + e);
    }
    lines.add("EOF");
  }
}
