package dev.headend.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.tftp.SimulatedNetwork.Sent;
import dev.headend.tftp.wire.ErrorCode;
import dev.headend.tftp.wire.TftpOption;
import dev.headend.tftp.wire.TftpPacket;
import dev.headend.tftp.wire.TftpPacket.Ack;
import dev.headend.tftp.wire.TftpPacket.Data;
import dev.headend.tftp.wire.TftpPacket.ErrorPacket;
import dev.headend.tftp.wire.TftpPacket.OptionAck;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TftpTransferTest {
  private static final Duration LIMIT = Duration.ofMinutes(10);

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static TftpServer server(Map<String, byte[]> files) {
    return TftpServer.builder(TftpFiles.of(files)).build();
  }

  private static List<Data> dataFrom(SimulatedNetwork net, InetSocketAddress client) {
    return net.log().stream()
        .filter(s -> s.to().equals(client))
        .map(Sent::packet)
        .filter(Data.class::isInstance)
        .map(Data.class::cast)
        .toList();
  }

  @ParameterizedTest(name = "RFC 1350: a read of {0} bytes ends with the first short block")
  @ValueSource(ints = {0, 1, 511, 512, 513, 1024, 70_000})
  void readEndsWithShortBlock(int size) {
    byte[] content = random(size, size);
    SimulatedNetwork net = new SimulatedNetwork(1);
    InetSocketAddress srv = net.attachServer(server(Map.of("f", content)));
    MemorySink sink = TftpSink.toMemory(1 << 20);
    TftpTransfer c = TftpClient.read(srv, "f", sink, TransferOptions.defaults(), net.now());
    InetSocketAddress me = net.clientAddress(40000);
    net.attach(me, c);
    net.run(LIMIT);

    assertTrue(sink.committed());
    assertArrayEquals(content, sink.toByteArray());
    List<Data> data = dataFrom(net, me);
    assertEquals(size / 512 + 1, data.size(), "one block per 512 bytes plus the short final one");
    assertEquals(size % 512, data.get(data.size() - 1).length());
    TransferEvent.Completed done = assertInstanceOf(TransferEvent.Completed.class, net.outcome(c));
    assertEquals(size, done.bytes());
    assertEquals(0, done.retransmitted());
    assertEquals(1, net.events(TftpServerEvent.Accepted.class).size());
  }

  @Test
  void blockNumbersWrapToZeroPast65535() {
    // drive a sender by hand to the wrap and read the block number it writes
    SimulatedNetwork net = new SimulatedNetwork(3);
    byte[] content = random(8 * 65540, 3);
    InetSocketAddress srv = net.attachServer(server(Map.of("w", content)));
    InetSocketAddress me = net.clientAddress(40001);
    MemorySink sink = TftpSink.toMemory(1 << 20);
    TftpTransfer c =
        TftpClient.read(srv, "w", sink, TransferOptions.defaults().blockSize(8), net.now());
    net.attach(me, c);
    net.run(LIMIT);
    assertArrayEquals(content, sink.toByteArray());
    List<Integer> numbers = dataFrom(net, me).stream().map(Data::block).toList();
    int i = numbers.indexOf(65535);
    assertTrue(i > 0);
    assertEquals(0, numbers.get(i + 1));
    assertEquals(1, numbers.get(i + 2));
  }

  @Test
  void optionsAreNegotiatedAndUsed() {
    byte[] content = random(100_000, 4);
    SimulatedNetwork net = new SimulatedNetwork(4);
    InetSocketAddress srv = net.attachServer(server(Map.of("f", content)));
    MemorySink sink = TftpSink.toMemory(1 << 20);
    TransferOptions o =
        TransferOptions.defaults()
            .blockSize(1428)
            .windowSize(8)
            .transferSize(true)
            .timeout(Duration.ofSeconds(2));
    TftpTransfer c = TftpClient.read(srv, "f", sink, o, net.now());
    InetSocketAddress me = net.clientAddress(40000);
    net.attach(me, c);
    net.run(LIMIT);
    assertArrayEquals(content, sink.toByteArray());
    assertEquals(1428, c.blockSize());
    assertEquals(8, c.windowSize());
    assertEquals(100_000, c.announcedSize());
    OptionAck oack =
        net.log().stream()
            .map(Sent::packet)
            .filter(OptionAck.class::isInstance)
            .map(OptionAck.class::cast)
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of(
            new TftpOption("blksize", "1428"),
            new TftpOption("timeout", "2"),
            new TftpOption("tsize", "100000"),
            new TftpOption("windowsize", "8")),
        oack.options());
    long acks =
        net.log().stream()
            .filter(s -> !s.to().equals(me))
            .map(Sent::packet)
            .filter(Ack.class::isInstance)
            .count();
    int blocks = 100_000 / 1428 + 1;
    // ACK 0 for the OACK, then one per window of 8 and one for the final block
    assertEquals(1 + (blocks + 7) / 8, acks);
  }

  @Test
  void serverCapsBlockSizeAndWindowByMemory() {
    TftpServer s =
        TftpServer.builder(TftpFiles.of(Map.of())).maxBlockSize(4096).windowMemory(16384).build();
    Negotiated n =
        s.negotiate(
            TftpPacket.Request.read(
                "x",
                new TftpOption("BLKSIZE", "9000"),
                new TftpOption("windowsize", "64"),
                new TftpOption("tsize", "0"),
                new TftpOption("bogus", "1")),
            777);
    assertEquals(4096, n.blockSize());
    assertEquals(4, n.windowSize());
    assertEquals(
        List.of(
            new TftpOption("BLKSIZE", "4096"),
            new TftpOption("windowsize", "4"),
            new TftpOption("tsize", "777")),
        n.acknowledged());
  }

  @Test
  void invalidOptionValuesAreLeftOut() {
    TftpServer s = server(Map.of());
    Negotiated n =
        s.negotiate(
            TftpPacket.Request.read(
                "x",
                new TftpOption("blksize", "7"),
                new TftpOption("timeout", "0"),
                new TftpOption("windowsize", "x1")),
            10);
    assertEquals(512, n.blockSize());
    assertEquals(1, n.windowSize());
    assertTrue(n.acknowledged().isEmpty());
    assertNull(n.optionAck());
  }

  @Test
  void writeStoresTheFile() throws Exception {
    byte[] content = random(5000, 5);
    MemorySink stored = TftpSink.toMemory(10_000);
    TftpFiles files =
        new TftpFiles() {
          @Override
          public TftpContent openRead(String filename, InetSocketAddress client)
              throws TftpAccessException {
            throw new TftpAccessException(ErrorCode.FILE_NOT_FOUND, "none");
          }

          @Override
          public TftpSink openWrite(String filename, InetSocketAddress client, long size) {
            assertEquals(5000, size);
            return stored;
          }
        };
    SimulatedNetwork net = new SimulatedNetwork(5);
    InetSocketAddress srv = net.attachServer(TftpServer.builder(files).build());
    TftpTransfer c =
        TftpClient.write(
            srv,
            "up",
            TftpContent.of(content),
            TransferOptions.defaults().transferSize(true).windowSize(4),
            net.now());
    net.attach(net.clientAddress(40000), c);
    net.run(LIMIT);
    assertTrue(stored.committed());
    assertArrayEquals(content, stored.toByteArray());
    assertInstanceOf(TransferEvent.Completed.class, net.outcome(c));
    assertEquals(4, c.windowSize());
  }

  @Test
  void writeIsRefusedByDefault() {
    SimulatedNetwork net = new SimulatedNetwork(6);
    InetSocketAddress srv = net.attachServer(server(Map.of()));
    TftpTransfer c =
        TftpClient.write(
            srv, "up", TftpContent.of(new byte[10]), TransferOptions.defaults(), net.now());
    net.attach(net.clientAddress(40000), c);
    net.run(LIMIT);
    TransferEvent.Failed f = assertInstanceOf(TransferEvent.Failed.class, net.outcome(c));
    assertEquals(ErrorCode.ACCESS_VIOLATION, f.code());
    assertTrue(f.byPeer());
    assertEquals(1, net.events(TftpServerEvent.Refused.class).size());
  }

  @Test
  void netasciiTranslatesLineEndsBothWays() {
    byte[] text = "line one\nbare\rcr\n\nend".getBytes(StandardCharsets.US_ASCII);
    SimulatedNetwork net = new SimulatedNetwork(7);
    InetSocketAddress srv = net.attachServer(server(Map.of("t.txt", text)));
    MemorySink sink = TftpSink.toMemory(1000);
    InetSocketAddress me = net.clientAddress(40000);
    TftpTransfer c =
        TftpClient.read(srv, "t.txt", sink, TransferOptions.defaults().netascii(true), net.now());
    net.attach(me, c);
    net.run(LIMIT);
    assertArrayEquals(text, sink.toByteArray());
    Data d = dataFrom(net, me).get(0);
    byte[] wire = new byte[d.length()];
    d.data().duplicate().get(wire);
    assertEquals("line one\r\nbare\r\0cr\r\n\r\nend", new String(wire, StandardCharsets.US_ASCII));
  }

  @Test
  void netasciiCrLfSplitAcrossBlocks() {
    // 7 characters then LF: the CR lands at the end of block 1 and the LF starts block 2
    byte[] text = "abcdefg\nhij".getBytes(StandardCharsets.US_ASCII);
    SimulatedNetwork net = new SimulatedNetwork(8);
    InetSocketAddress srv = net.attachServer(server(Map.of("t", text)));
    MemorySink sink = TftpSink.toMemory(1000);
    TftpTransfer c =
        TftpClient.read(
            srv, "t", sink, TransferOptions.defaults().netascii(true).blockSize(8), net.now());
    net.attach(net.clientAddress(40000), c);
    net.run(LIMIT);
    assertArrayEquals(text, sink.toByteArray());
  }

  /** A server-side sender for "f" and the packets it queued, driven by hand. */
  private static final class Driven {
    final TftpTransfer sender;
    final InetSocketAddress client = new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 3000);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    Driven(byte[] content, TftpOption... options) {
      TftpServer s = TftpServer.builder(TftpFiles.of(Map.of("f", content))).maxRetries(3).build();
      s.handle(now, client, ByteBuffer.wrap(TftpPacket.Request.read("f", options).toBytes()));
      sender = ((TftpServerEvent.Accepted) s.pollEvent()).transfer();
    }

    void from(InetSocketAddress who, TftpPacket p) {
      sender.handle(now, who, ByteBuffer.wrap(p.toBytes()));
    }

    List<TftpPacket> drain(InetSocketAddress to) {
      List<TftpPacket> out = new java.util.ArrayList<>();
      ByteBuffer b = ByteBuffer.allocate(65536);
      InetSocketAddress dest;
      while ((dest = sender.pollTransmit(b.clear())) != null) {
        if (to == null || to.equals(dest)) {
          out.add(
              new SimulatedNetwork.Sent(
                      now, null, dest, java.util.Arrays.copyOf(b.array(), b.position()))
                  .packet());
        }
      }
      return out;
    }
  }

  @Test
  void duplicateAckIsNotAnsweredSorcerersApprentice() {
    Driven d = new Driven(random(2000, 9));
    assertEquals(List.of(1), d.drain(d.client).stream().map(p -> ((Data) p).block()).toList());
    d.from(d.client, new Ack(1));
    d.from(d.client, new Ack(1)); // the network duplicated the ACK
    List<TftpPacket> sent = d.drain(d.client);
    assertEquals(1, sent.size(), "block 2 once, not twice: " + sent);
    assertEquals(2, ((Data) sent.get(0)).block());
  }

  @Test
  void wrongTidGetsError5AndTheTransferGoesOn() {
    Driven d = new Driven(random(1000, 10));
    d.drain(d.client);
    InetSocketAddress stranger = new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 3001);
    d.from(stranger, new Ack(1));
    List<TftpPacket> toStranger = d.drain(stranger);
    assertEquals(List.of(ErrorPacket.of(ErrorCode.UNKNOWN_TID, "unknown transfer ID")), toStranger);
    d.from(d.client, new Ack(1));
    List<TftpPacket> next = d.drain(d.client);
    assertEquals(2, ((Data) next.get(0)).block());
    assertFalse(d.sender.ended());
  }

  @Test
  void errorsFromStrangersAreNeverAnswered() {
    Driven d = new Driven(random(1000, 11));
    d.drain(null);
    d.from(
        new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 3002),
        ErrorPacket.of(ErrorCode.UNKNOWN_TID, "x"));
    assertTrue(d.drain(null).isEmpty());
  }

  @Test
  void timeoutRetransmitsThenGivesUpWithError() {
    Driven d = new Driven(random(2000, 12));
    d.drain(d.client);
    d.from(d.client, new Ack(1)); // the client exists: it answered on our port
    assertEquals(2, ((Data) d.drain(d.client).get(0)).block());
    for (int i = 0; i < 3; i++) {
      d.now = d.sender.pollTimeout();
      d.sender.handleTimeout(d.now);
      assertEquals(2, ((Data) d.drain(d.client).get(0)).block(), "retransmission " + i);
    }
    d.now = d.sender.pollTimeout();
    d.sender.handleTimeout(d.now);
    List<TftpPacket> last = d.drain(d.client);
    ErrorPacket e = assertInstanceOf(ErrorPacket.class, last.get(0));
    assertEquals(0, e.code());
    assertNull(d.sender.pollTimeout());
    TransferEvent.Failed f = assertInstanceOf(TransferEvent.Failed.class, d.sender.pollEvent());
    assertFalse(f.byPeer());
  }

  @Test
  void aClientThatNeverAnswersGetsNoError() {
    // it may not exist (a spoofed request): the retransmissions back off and no ERROR follows
    Driven d = new Driven(random(2000, 12));
    assertEquals(1, d.drain(d.client).size());
    Instant first = d.sender.pollTimeout();
    for (int i = 0; i < 3; i++) {
      d.now = d.sender.pollTimeout();
      d.sender.handleTimeout(d.now);
      assertEquals(1, ((Data) d.drain(d.client).get(0)).block());
    }
    assertTrue(
        Duration.between(first, d.sender.pollTimeout()).compareTo(Duration.ofSeconds(2)) >= 0,
        "the wait doubles");
    d.now = d.sender.pollTimeout();
    d.sender.handleTimeout(d.now);
    assertTrue(d.drain(null).isEmpty(), "no error to an address that never spoke");
    assertInstanceOf(TransferEvent.Failed.class, d.sender.pollEvent());
    assertNull(d.sender.pollTimeout());
  }

  @Test
  void aReadErrorEndsTheTransferAndFreesItsSlot() {
    TftpContent broken =
        new TftpContent() {
          @Override
          public long size() {
            return 100;
          }

          @Override
          public int read(ByteBuffer dst) throws java.io.IOException {
            throw new java.io.IOException("disk on fire");
          }
        };
    TftpServer s = TftpServer.builder((name, client) -> broken).maxTransfersPerClient(1).build();
    InetSocketAddress client = new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 3000);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 3; i++) {
      s.handle(now, client, ByteBuffer.wrap(TftpPacket.Request.read("f").toBytes()));
      TftpServerEvent.Refused r = assertInstanceOf(TftpServerEvent.Refused.class, s.pollEvent());
      assertTrue(r.message().contains("disk on fire"), r.message());
      ErrorPacket e = (ErrorPacket) decode(s.pollTransmit());
      assertEquals(0, e.code());
      assertEquals(0, s.runningTransfers(), "no slot held");
    }
  }

  @Test
  void cancelWithAnyMessageStillEndsCleanly() {
    Driven d = new Driven(random(2000, 13));
    d.drain(d.client);
    d.sender.cancel("stopped \u2013 by operator\0");
    ErrorPacket e = (ErrorPacket) d.drain(d.client).get(0);
    assertEquals("stopped ? by operator?", e.message());
    assertInstanceOf(TransferEvent.Failed.class, d.sender.pollEvent());
  }

  @Test
  void noArgumentPollTransmitFitsAnOackLongerThanABlock() {
    TftpServer s = TftpServer.builder(TftpFiles.of(Map.of("f", new byte[100]))).build();
    InetSocketAddress client = new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 3000);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    s.handle(
        now,
        client,
        ByteBuffer.wrap(
            TftpPacket.Request.read(
                    "f", new TftpOption("blksize", "8"), new TftpOption("tsize", "0"))
                .toBytes()));
    TftpTransfer t = ((TftpServerEvent.Accepted) s.pollEvent()).transfer();
    assertInstanceOf(OptionAck.class, decode(t.pollTransmit()));
  }

  @Test
  void peerErrorEndsTheTransferWithoutReply() {
    Driven d = new Driven(random(1000, 13));
    d.drain(d.client);
    d.from(d.client, ErrorPacket.of(ErrorCode.DISK_FULL, "full"));
    assertTrue(d.drain(null).isEmpty());
    TransferEvent.Failed f = assertInstanceOf(TransferEvent.Failed.class, d.sender.pollEvent());
    assertEquals(ErrorCode.DISK_FULL, f.code());
    assertTrue(f.byPeer());
    assertNull(d.sender.pollTimeout());
  }

  @Test
  void midWindowAckResendsFromTheNextBlock() {
    Driven d = new Driven(random(512 * 10, 14), new TftpOption("windowsize", "4"));
    assertInstanceOf(OptionAck.class, d.drain(d.client).get(0));
    d.from(d.client, new Ack(0));
    assertEquals(
        List.of(1, 2, 3, 4), d.drain(d.client).stream().map(p -> ((Data) p).block()).toList());
    d.from(d.client, new Ack(2)); // RFC 7440: the receiver lost block 3
    assertEquals(
        List.of(3, 4, 5, 6), d.drain(d.client).stream().map(p -> ((Data) p).block()).toList());
  }

  @Test
  void oackIsResentUntilAcknowledged() {
    Driven d = new Driven(random(100, 15), new TftpOption("blksize", "1024"));
    assertInstanceOf(OptionAck.class, d.drain(d.client).get(0));
    d.now = d.sender.pollTimeout();
    d.sender.handleTimeout(d.now);
    assertInstanceOf(OptionAck.class, d.drain(d.client).get(0));
    d.from(d.client, new Ack(0));
    Data first = (Data) d.drain(d.client).get(0);
    assertEquals(100, first.length());
  }

  @Test
  void clientRefusesAnOackWithALargerBlockSize() {
    InetSocketAddress srv = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 69);
    MemorySink sink = TftpSink.toMemory(100);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    TftpTransfer c =
        TftpClient.read(srv, "f", sink, TransferOptions.defaults().blockSize(1024), now);
    c.pollTransmit();
    InetSocketAddress tid = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 5555);
    c.handle(
        now,
        tid,
        ByteBuffer.wrap(new OptionAck(List.of(new TftpOption("blksize", "2048"))).toBytes()));
    var t = c.pollTransmit();
    assertEquals(tid, t.destination());
    ErrorPacket e =
        (ErrorPacket) new SimulatedNetwork.Sent(now, null, tid, toArray(t.payload())).packet();
    assertEquals(8, e.code());
    assertInstanceOf(TransferEvent.Failed.class, c.pollEvent());
  }

  @Test
  void clientFallsBackToDefaultsWhenTheServerIgnoresOptions() {
    byte[] content = random(700, 16);
    InetSocketAddress srv = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 69);
    MemorySink sink = TftpSink.toMemory(1000);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    TftpTransfer c =
        TftpClient.read(srv, "f", sink, TransferOptions.defaults().blockSize(1024), now);
    c.pollTransmit();
    InetSocketAddress tid = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 5555);
    c.handle(
        now, tid, ByteBuffer.wrap(Data.of(1, java.util.Arrays.copyOf(content, 512)).toBytes()));
    c.handle(
        now,
        tid,
        ByteBuffer.wrap(Data.of(2, java.util.Arrays.copyOfRange(content, 512, 700)).toBytes()));
    assertArrayEquals(content, sink.toByteArray());
    assertEquals(512, c.blockSize());
    assertInstanceOf(TransferEvent.Completed.class, c.pollEvent());
  }

  @Test
  void receiverLingersToReacknowledgeTheFinalBlock() {
    byte[] content = random(100, 17);
    InetSocketAddress srv = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 69);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    TftpTransfer c =
        TftpClient.read(srv, "f", TftpSink.toMemory(1000), TransferOptions.defaults(), now);
    c.pollTransmit();
    InetSocketAddress tid = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 5555);
    byte[] last = Data.of(1, content).toBytes();
    c.handle(now, tid, ByteBuffer.wrap(last));
    assertEquals(new Ack(1), decode(c.pollTransmit()));
    c.handle(now, tid, ByteBuffer.wrap(last)); // the server did not hear our ACK
    assertEquals(new Ack(1), decode(c.pollTransmit()));
    assertInstanceOf(TransferEvent.Completed.class, c.pollEvent());
    assertNull(c.pollEvent());
    Instant later = c.pollTimeout();
    c.handleTimeout(later);
    assertNull(c.pollTimeout(), "done lingering");
    assertNull(c.pollTransmit());
  }

  @Test
  void sinkRefusalStopsTheWriteWithItsError() {
    SimulatedNetwork net = new SimulatedNetwork(18);
    InetSocketAddress srv = net.attachServer(server(Map.of("f", random(5000, 18))));
    MemorySink sink = TftpSink.toMemory(1000);
    TftpTransfer c = TftpClient.read(srv, "f", sink, TransferOptions.defaults(), net.now());
    net.attach(net.clientAddress(40000), c);
    net.run(LIMIT);
    TransferEvent.Failed f = assertInstanceOf(TransferEvent.Failed.class, net.outcome(c));
    assertEquals(ErrorCode.DISK_FULL, f.code());
    assertFalse(sink.committed());
    assertEquals(0, sink.toByteArray().length, "aborted");
    List<TftpPacket> errorsToServer =
        net.log().stream()
            .filter(s -> s.from().equals(net.clientAddress(40000)))
            .map(Sent::packet)
            .filter(ErrorPacket.class::isInstance)
            .toList();
    assertEquals(1, errorsToServer.size());
  }

  static byte[] toArray(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  static TftpPacket decode(dev.headend.core.Transmit t) {
    return new SimulatedNetwork.Sent(null, null, t.destination(), toArray(t.payload())).packet();
  }
}
