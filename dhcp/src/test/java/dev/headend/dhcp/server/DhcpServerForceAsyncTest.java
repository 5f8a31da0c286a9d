package dev.headend.dhcp.server;

import static dev.headend.dhcp.server.Harness.SERVER;
import static dev.headend.dhcp.server.Harness.ip;
import static dev.headend.dhcp.server.Harness.mac;
import static dev.headend.dhcp.server.Harness.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.server.Harness.Sent;
import dev.headend.dhcp.wire.DhcpMessageType;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** {@link DhcpServer#forceAsync}: ACKs wait for a force that began after their lease's write. */
class DhcpServerForceAsyncTest {

  @Test
  void ackWaitsForTheForceWhileOtherRequestsAreServed() {
    List<String> calls = new ArrayList<>();
    Tasks forcer = new Tasks();
    int[] wakeups = {0};
    Harness h = Harness.of(Harness.lan().leaseStore(new SplitStore(calls, false)));
    h.server.forceAsync(forcer, () -> wakeups[0]++);

    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    List<Sent> first = h.send(request(h, 1, "10.99.0.100"));
    assertTrue(first.isEmpty(), () -> "no ACK before the force: " + first);
    assertEquals(List.of("put 10.99.0.100 BOUND", "write"), calls);
    assertEquals(1, forcer.size(), "one force started");
    assertEquals(2, h.server.awaitingForce(), "the ACK and its Leased event");
    assertTrue(h.events(DhcpServerEvent.Leased.class).isEmpty());

    // while the force runs, the server goes on serving: an OFFER goes out at once, and a second
    // ACK is written but shares the next force (only one runs at a time)
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(2))), DhcpMessageType.OFFER);
    assertTrue(h.send(request(h, 2, "10.99.0.101")).isEmpty());
    assertEquals(1, forcer.size(), "no second force while one runs");
    assertEquals(
        List.of("put 10.99.0.100 BOUND", "write", "put 10.99.0.101 BOUND", "write"), calls);

    forcer.runOne();
    assertEquals(1, wakeups[0], "the completed force wakes the server");
    assertTrue(calls.get(calls.size() - 1).equals("force"));
    Sent ack1 = one(h.drain(), DhcpMessageType.ACK);
    assertEquals(ip("10.99.0.100"), ack1.message().yiaddr(), "only the first batch was forced");
    assertEquals(1, h.events(DhcpServerEvent.Leased.class).size());
    assertEquals(1, forcer.size(), "the next force covers the batch written meanwhile");

    forcer.runOne();
    Sent ack2 = one(h.drain(), DhcpMessageType.ACK);
    assertEquals(ip("10.99.0.101"), ack2.message().yiaddr());
    assertEquals(2, h.events(DhcpServerEvent.Leased.class).size());
    assertEquals(0, h.server.awaitingForce());
    assertEquals(0, forcer.size(), "nothing left to force");
  }

  @Test
  void batchesWrittenDuringOneForceShareTheNext() {
    List<String> calls = new ArrayList<>();
    Tasks forcer = new Tasks();
    Harness h = Harness.of(Harness.lan().leaseStore(new SplitStore(calls, false)));
    h.server.forceAsync(forcer, () -> {});
    for (int i = 1; i <= 4; i++) {
      one(h.send(h.request(DhcpMessageType.DISCOVER, mac(i))), DhcpMessageType.OFFER);
      assertTrue(h.send(request(h, i, "10.99.0.10" + (i - 1))).isEmpty());
    }
    forcer.runOne(); // covered the first batch only
    assertEquals(1, h.drain().size());
    forcer.runOne(); // covers the three written while the first ran
    assertEquals(3, h.drain().size());
    assertEquals(2, calls.stream().filter("force"::equals).count(), "two fsyncs for four ACKs");
  }

  @Test
  void failedForceWithholdsTheAcksItCovered() {
    List<String> calls = new ArrayList<>();
    Tasks forcer = new Tasks();
    Harness h = Harness.of(Harness.lan().leaseStore(new SplitStore(calls, true)));
    h.server.forceAsync(forcer, () -> {});
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertTrue(h.send(request(h, 1, "10.99.0.100")).isEmpty());
    forcer.runOne();
    List<Sent> after = h.drain();
    assertTrue(after.isEmpty(), () -> "ACK sent after a failed force: " + after);
    assertEquals(DropReason.STORE_FAILED, h.lastDrop());
    assertTrue(h.events(DhcpServerEvent.Leased.class).isEmpty());
    assertEquals(0, h.server.awaitingForce());
  }

  @Test
  void aStoreWithoutForceReleasesAcksAtOnce() {
    Tasks forcer = new Tasks();
    Harness h = Harness.of(Harness.lan()); // in memory: write() is all there is
    h.server.forceAsync(forcer, () -> {});
    Sent ack = h.dora(mac(1));
    assertEquals(DhcpMessageType.ACK, ack.type());
    assertEquals(0, forcer.size());
    assertEquals(1, h.events(DhcpServerEvent.Leased.class).size());
  }

  @Test
  void forceAsyncIsSetOnce() {
    Harness h = Harness.of(Harness.lan());
    h.server.forceAsync(new Tasks(), () -> {});
    assertThrows(IllegalStateException.class, () -> h.server.forceAsync(new Tasks(), () -> {}));
  }

  private static dev.headend.dhcp.wire.DhcpMessage.Builder request(Harness h, int n, String a) {
    return h.request(DhcpMessageType.REQUEST, mac(n))
        .requestedAddress(ip(a))
        .serverIdentifier(SERVER);
  }

  /** An executor that runs its tasks when the test says so. */
  private static final class Tasks implements Executor {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      queue.add(task);
    }

    int size() {
      return queue.size();
    }

    void runOne() {
      Runnable r = queue.poll();
      if (r == null) {
        throw new AssertionError("no task queued");
      }
      r.run();
    }
  }

  /** A store that logs put, write and force, and may fail its force. */
  private static final class SplitStore implements LeaseStore {
    private final List<String> calls;
    private final boolean failForce;

    SplitStore(List<String> calls, boolean failForce) {
      this.calls = calls;
      this.failForce = failForce;
    }

    @Override
    public Collection<Lease> load() {
      return List.of();
    }

    @Override
    public void put(Lease lease) {
      calls.add("put " + lease.address() + " " + lease.state());
    }

    @Override
    public void remove(Ipv4Address address) {
      calls.add("remove " + address);
    }

    @Override
    public void sync() {
      throw new AssertionError("sync() is not used with forceAsync");
    }

    @Override
    public boolean write() {
      calls.add("write");
      return true;
    }

    @Override
    public void force() throws IOException {
      calls.add("force");
      if (failForce) {
        throw new IOException("disk gone");
      }
    }

    @Override
    public void close() {}
  }
}
