package dev.headend.dhcp.server;

import static dev.headend.dhcp.server.Harness.ip;
import static dev.headend.dhcp.server.Harness.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalLeaseStoreTest {
  private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  private static Lease lease(int host, int client, Lease.State state) {
    return new Lease(
        new Ipv4Address(ip("10.99.0.0").value() + host),
        ClientKey.ofMac(mac(client)),
        state,
        T.plusSeconds(host));
  }

  private static Map<Ipv4Address, Lease> byAddress(LeaseStore s) throws IOException {
    Map<Ipv4Address, Lease> m = new HashMap<>();
    for (Lease l : s.load()) {
      m.put(l.address(), l);
    }
    return m;
  }

  @Test
  void putsAndRemovesSurviveReopen() throws IOException {
    try (LeaseStore s = LeaseStore.journal(dir)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.put(lease(2, 2, Lease.State.DECLINED));
      s.put(lease(3, 3, Lease.State.BOUND));
      s.remove(lease(3, 3, Lease.State.BOUND).address());
      s.put(lease(1, 1, Lease.State.RELEASED));
      s.sync();
    }
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(
          Map.of(
              lease(1, 1, Lease.State.RELEASED).address(), lease(1, 1, Lease.State.RELEASED),
              lease(2, 2, Lease.State.DECLINED).address(), lease(2, 2, Lease.State.DECLINED)),
          byAddress(s));
    }
  }

  @Test
  void tornTailIsTruncatedOnOpenAndLaterWritesAreKept() throws IOException {
    try (LeaseStore s = LeaseStore.journal(dir)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.sync();
    }
    Path j = dir.resolve(JournalLeaseStore.JOURNAL);
    long good = Files.size(j);
    Files.write(j, new byte[] {0, 0, 0, 30, 1, 2, 3}, StandardOpenOption.APPEND); // half a record
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(good, Files.size(j), "torn tail cut");
      assertEquals(1, s.load().size());
      s.put(lease(2, 2, Lease.State.BOUND));
      s.sync();
    }
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(2, s.load().size());
    }
  }

  @Test
  void recordWithBadChecksumEndsTheJournal() throws IOException {
    try (LeaseStore s = LeaseStore.journal(dir)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.sync();
      s.put(lease(2, 2, Lease.State.BOUND));
      s.sync();
    }
    Path j = dir.resolve(JournalLeaseStore.JOURNAL);
    byte[] b = Files.readAllBytes(j);
    b[b.length - 3] ^= 0x40; // inside the second record's key
    Files.write(j, b);
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(
          Map.of(lease(1, 1, Lease.State.BOUND).address(), lease(1, 1, Lease.State.BOUND)),
          byAddress(s));
    }
  }

  @Test
  void compactionWritesSnapshotAndStartsEmptyJournal() throws IOException {
    try (JournalLeaseStore s = JournalLeaseStore.open(dir, 10, true)) {
      for (int round = 0; round < 20; round++) {
        for (int h = 1; h <= 3; h++) {
          s.put(lease(h, h + round, Lease.State.BOUND));
        }
        s.sync();
      }
      assertTrue(s.journalRecords() <= 12, "compacted: " + s.journalRecords());
      assertTrue(Files.exists(dir.resolve(JournalLeaseStore.SNAPSHOT)));
    }
    try (LeaseStore s = LeaseStore.journal(dir)) {
      Map<Ipv4Address, Lease> m = byAddress(s);
      assertEquals(3, m.size());
      assertEquals(
          lease(2, 21, Lease.State.BOUND), m.get(lease(2, 0, Lease.State.BOUND).address()));
    }
  }

  @Test
  void crashBetweenSnapshotRenameAndJournalRenameLosesNothing() throws IOException {
    Path oldJournal = dir.resolve("old-journal");
    try (JournalLeaseStore s = JournalLeaseStore.open(dir, 1_000, true)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.put(lease(2, 2, Lease.State.BOUND));
      s.remove(lease(1, 1, Lease.State.BOUND).address());
      s.put(lease(1, 3, Lease.State.BOUND));
      s.sync();
      Files.copy(dir.resolve(JournalLeaseStore.JOURNAL), oldJournal);
      s.compact();
    }
    // as if the process died after the snapshot was renamed, before the new journal was
    Files.move(
        oldJournal, dir.resolve(JournalLeaseStore.JOURNAL), StandardCopyOption.REPLACE_EXISTING);
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(
          Map.of(
              lease(1, 3, Lease.State.BOUND).address(), lease(1, 3, Lease.State.BOUND),
              lease(2, 2, Lease.State.BOUND).address(), lease(2, 2, Lease.State.BOUND)),
          byAddress(s));
    }
  }

  @Test
  void crashWhileWritingSnapshotLeavesTmpThatIsIgnored() throws IOException {
    try (LeaseStore s = LeaseStore.journal(dir)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.sync();
    }
    Path tmp = dir.resolve(JournalLeaseStore.SNAPSHOT + ".tmp");
    Files.write(tmp, new byte[] {'H', 'D', 'L', 'S', 1, 2});
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(1, s.load().size());
      assertFalse(Files.exists(tmp));
    }
  }

  @Test
  void corruptSnapshotIsAnErrorNotSilentLoss() throws IOException {
    try (JournalLeaseStore s = JournalLeaseStore.open(dir, 1_000, true)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.compact();
    }
    Path snap = dir.resolve(JournalLeaseStore.SNAPSHOT);
    byte[] b = Files.readAllBytes(snap);
    b[12] ^= 1;
    Files.write(snap, b);
    assertThrows(IOException.class, () -> LeaseStore.journal(dir));
  }

  @Test
  void aSecondStoreOnTheSameDirectoryIsRefused() throws IOException {
    try (LeaseStore s = LeaseStore.journal(dir)) {
      IOException e = assertThrows(IOException.class, () -> LeaseStore.journal(dir));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
      s.put(lease(1, 1, Lease.State.BOUND));
    }
  }

  @Test
  void serverOnJournalKeepsLeasesAcrossRestart() throws IOException {
    Ipv4Address a;
    try (LeaseStore store = LeaseStore.journal(dir)) {
      Harness h = Harness.of(Harness.lan().leaseStore(store));
      a = h.dora(mac(1)).message().yiaddr();
    }
    try (LeaseStore store = LeaseStore.journal(dir)) {
      Harness h = Harness.of(Harness.lan().leaseStore(store));
      assertEquals(ClientKey.ofMac(mac(1)), h.server.lease(a).orElseThrow().client());
      assertTrue(h.dora(mac(2)).message().yiaddr().value() != a.value());
    }
  }

  @Test
  void writeThenForceIsDurableAndWriteSaysWhetherAForceIsNeeded() throws IOException {
    try (JournalLeaseStore s = JournalLeaseStore.open(dir, 1_000, true)) {
      assertFalse(s.write(), "nothing to write");
      s.put(lease(1, 1, Lease.State.BOUND));
      assertTrue(s.write(), "fsync on: the write needs a force");
      s.force();
    }
    Path off = dir.resolve("off");
    try (JournalLeaseStore s = JournalLeaseStore.open(off, 1_000, false)) {
      s.put(lease(2, 2, Lease.State.BOUND));
      assertFalse(s.write(), "fsync off: write is all the store promises");
    }
    try (LeaseStore s = LeaseStore.journal(dir)) {
      assertEquals(
          Map.of(lease(1, 1, Lease.State.BOUND).address(), lease(1, 1, Lease.State.BOUND)),
          byAddress(s));
    }
  }

  @Test
  void preallocatedZeroTailIsCutOnOpenAndOnClose() throws IOException {
    Path copy = dir.resolve("copy");
    Files.createDirectories(copy);
    Path j = dir.resolve(JournalLeaseStore.JOURNAL);
    try (JournalLeaseStore s = JournalLeaseStore.open(dir, 1_000, true)) {
      s.put(lease(1, 1, Lease.State.BOUND));
      s.put(lease(2, 2, Lease.State.BOUND));
      s.write();
      s.force();
      assertTrue(Files.size(j) >= JournalLeaseStore.PREALLOCATE, "grown ahead of the records");
      // what a kill -9 leaves: the records, then zeros up to the preallocated end
      Files.copy(j, copy.resolve(JournalLeaseStore.JOURNAL));
    }
    assertTrue(Files.size(j) < 1_000, "closing cut the zeros: " + Files.size(j));
    long clean = Files.size(j);
    try (LeaseStore s = LeaseStore.journal(copy)) {
      assertEquals(2, s.load().size());
      s.put(lease(3, 3, Lease.State.BOUND));
      s.sync();
    }
    assertTrue(Files.size(copy.resolve(JournalLeaseStore.JOURNAL)) > clean);
    try (LeaseStore s = LeaseStore.journal(copy)) {
      assertEquals(3, s.load().size(), "records after the cut tail are kept");
    }
  }

  @Test
  void forceOnAnotherThreadDuringWritesAndCompactionsLosesNothing() throws Exception {
    int n = 3_000;
    try (JournalLeaseStore s = JournalLeaseStore.open(dir, 50, true)) {
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicInteger forces =
          new java.util.concurrent.atomic.AtomicInteger();
      Thread forcer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    s.force();
                    forces.incrementAndGet();
                  } catch (IOException | RuntimeException e) {
                    failure.set(e);
                    return;
                  }
                }
              });
      forcer.start();
      for (int i = 0; i < n; i++) {
        s.put(lease(i % 200, i, Lease.State.BOUND)); // rewrites: the journal keeps compacting
        if (i % 7 == 0) {
          s.write();
        }
      }
      s.write();
      stop.set(true);
      forcer.join(30_000);
      assertEquals(null, failure.get(), "force failed beside writes and compactions");
      assertTrue(forces.get() > 0);
      assertTrue(s.journalRecords() < n, "compacted meanwhile: " + s.journalRecords());
    }
    try (LeaseStore s = LeaseStore.journal(dir)) {
      Map<Ipv4Address, Lease> m = byAddress(s);
      assertEquals(200, m.size());
      for (int i = n - 200; i < n; i++) {
        assertEquals(
            lease(i % 200, i, Lease.State.BOUND),
            m.get(lease(i % 200, i, Lease.State.BOUND).address()));
      }
    }
  }
}
