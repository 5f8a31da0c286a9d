package dev.headend.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.tftp.wire.ErrorCode;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class TftpTransferPropertiesTest {

  @Provide
  Arbitrary<Integer> blockSizes() {
    return Arbitraries.of(8, 13, 512, 1428);
  }

  @Property(tries = 150)
  void transfersCompleteWithIdenticalBytesDespiteLossDuplicationAndReordering(
      @ForAll @IntRange(min = 0, max = 20_000) int size,
      @ForAll("blockSizes") int blockSize,
      @ForAll @IntRange(min = 1, max = 16) int window,
      @ForAll @DoubleRange(min = 0, max = 0.25) double loss,
      @ForAll @DoubleRange(min = 0, max = 0.25) double duplication,
      @ForAll @DoubleRange(min = 0, max = 0.5) double reordering,
      @ForAll boolean upload,
      @ForAll boolean netascii,
      @ForAll long seed) {
    byte[] content = TftpTransferTest.random(size, seed);
    SimulatedNetwork net = new SimulatedNetwork(seed).faults(loss, duplication, reordering);
    // a delayed copy of the WRQ may open a second transfer after the first ended; its sink is
    // aborted when the client answers it with ERROR 5, so each request gets a sink of its own
    java.util.List<MemorySink> uploads = new java.util.ArrayList<>();
    TftpFiles files =
        new TftpFiles() {
          @Override
          public TftpContent openRead(String filename, InetSocketAddress client) {
            return TftpContent.of(content);
          }

          @Override
          public TftpSink openWrite(String filename, InetSocketAddress client, long announced) {
            MemorySink s = TftpSink.toMemory(1 << 20);
            uploads.add(s);
            return s;
          }
        };
    InetSocketAddress srv = net.attachServer(TftpServer.builder(files).maxRetries(40).build());
    TransferOptions o =
        TransferOptions.defaults()
            .blockSize(blockSize)
            .windowSize(window)
            .netascii(netascii)
            .maxRetries(40);
    MemorySink fetched = TftpSink.toMemory(1 << 20);
    TftpTransfer c =
        upload
            ? TftpClient.write(srv, "f", TftpContent.of(content), o, net.now())
            : TftpClient.read(srv, "f", fetched, o, net.now());
    net.attach(net.clientAddress(40000), c);
    net.run(Duration.ofHours(2));

    TransferEvent outcome = net.outcome(c);
    assertInstanceOf(TransferEvent.Completed.class, outcome, outcome::toString);
    // a server transfer whose first packets were all lost gives up silently; the client's next
    // request starts another, so exactly one of the upload sinks holds the file
    List<MemorySink> committed = uploads.stream().filter(MemorySink::committed).toList();
    if (upload) {
      assertEquals(1, committed.size(), uploads::toString);
    }
    MemorySink received = upload ? committed.get(0) : fetched;
    assertTrue(received.committed());
    assertArrayEquals(content, received.toByteArray());
    if (loss == 0 && duplication == 0 && (reordering == 0 || window == 1)) {
      assertEquals(0, ((TransferEvent.Completed) outcome).retransmitted(), "no spurious resends");
    }
  }

  @Property(tries = 300)
  void garbageNeverThrowsAndGetsAtMostOneReply(@ForAll byte[] garbage, @ForAll boolean toServer) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    InetSocketAddress peer = new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 1234);
    TftpServer server = TftpServer.builder(TftpFiles.of(Map.of("f", new byte[3000]))).build();
    if (toServer) {
      server.handle(now, peer, ByteBuffer.wrap(garbage));
      int replies = 0;
      while (server.pollTransmit() != null) {
        replies++;
      }
      assertTrue(replies <= 1);
      return;
    }
    server.handle(
        now, peer, ByteBuffer.wrap(dev.headend.tftp.wire.TftpPacket.Request.read("f").toBytes()));
    TftpTransfer t = ((TftpServerEvent.Accepted) server.pollEvent()).transfer();
    t.pollTransmit();
    t.handle(now, peer, ByteBuffer.wrap(garbage));
    int replies = 0;
    dev.headend.core.Transmit x;
    while ((x = t.pollTransmit()) != null) {
      replies++;
      assertEquals(peer, x.destination());
    }
    assertTrue(replies <= 1);
    TransferEvent e = t.pollEvent();
    if (e instanceof TransferEvent.Failed f && !f.byPeer()) {
      assertEquals(ErrorCode.ILLEGAL_OPERATION, f.code());
    }
  }
}
