package dev.headend.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import dev.headend.tftp.wire.ErrorCode;
import dev.headend.tftp.wire.TftpPacket;
import dev.headend.tftp.wire.TftpPacket.Ack;
import dev.headend.tftp.wire.TftpPacket.ErrorPacket;
import dev.headend.tftp.wire.TftpPacket.Request;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TftpServerTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final InetSocketAddress client =
      new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 2000);

  private static TftpServer server() {
    return TftpServer.builder(TftpFiles.of(Map.of("f", new byte[100])))
        .maxTransfers(3)
        .maxTransfersPerClient(2)
        .build();
  }

  private static ErrorPacket onlyError(TftpServer s, InetSocketAddress to) {
    Transmit t = s.pollTransmit();
    assertEquals(to, t.destination());
    assertNull(s.pollTransmit());
    return assertInstanceOf(ErrorPacket.class, TftpTransferTest.decode(t));
  }

  private static void send(TftpServer s, InetSocketAddress from, TftpPacket p) {
    s.handle(NOW, from, ByteBuffer.wrap(p.toBytes()));
  }

  @Test
  void mailModeIsRefusedWithError4() {
    TftpServer s = server();
    send(s, client, new Request(false, "f", "mail", List.of()));
    assertEquals(4, onlyError(s, client).code());
    assertInstanceOf(TftpServerEvent.Refused.class, s.pollEvent());
  }

  @Test
  void modeIsCaseInsensitive() {
    TftpServer s = server();
    send(s, client, new Request(false, "f", "OcTeT", List.of()));
    assertInstanceOf(TftpServerEvent.Accepted.class, s.pollEvent());
  }

  @Test
  void missingFileIsError1() {
    TftpServer s = server();
    send(s, client, Request.read("nope"));
    assertEquals(1, onlyError(s, client).code());
  }

  @Test
  void dataOrAckOnTheRequestPortIsError5() {
    TftpServer s = server();
    send(s, client, new Ack(3));
    assertEquals(5, onlyError(s, client).code());
  }

  @Test
  void errorsOnTheRequestPortAreNotAnswered() {
    TftpServer s = server();
    send(s, client, ErrorPacket.of(ErrorCode.NOT_DEFINED, "bye"));
    assertNull(s.pollTransmit());
    assertInstanceOf(TftpServerEvent.Dropped.class, s.pollEvent());
  }

  @Test
  void malformedRequestIsError4() {
    TftpServer s = server();
    s.handle(NOW, client, ByteBuffer.wrap(new byte[] {0, 1, 'f'}));
    assertEquals(4, onlyError(s, client).code());
  }

  @Test
  void repeatedRequestWhileItsTransferRunsIsIgnored() {
    TftpServer s = server();
    send(s, client, Request.read("f"));
    TftpTransfer t = ((TftpServerEvent.Accepted) s.pollEvent()).transfer();
    send(s, client, Request.read("f"));
    assertInstanceOf(TftpServerEvent.Dropped.class, s.pollEvent());
    assertNull(s.pollTransmit());
    assertEquals(1, s.runningTransfers());
    assertEquals(client, t.pollTransmit().destination()); // DATA 1: the whole 100-byte file
    t.handle(NOW, client, ByteBuffer.wrap(new Ack(1).toBytes()));
    assertTrue(t.ended());
    assertEquals(0, s.runningTransfers());
    send(s, client, Request.read("f"));
    assertInstanceOf(TftpServerEvent.Accepted.class, s.pollEvent());
  }

  @Test
  void perClientAndTotalLimits() {
    TftpServer s = server();
    for (int port = 1; port <= 2; port++) {
      send(s, new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, port), Request.read("f"));
      assertInstanceOf(TftpServerEvent.Accepted.class, s.pollEvent());
    }
    InetSocketAddress third = new InetSocketAddress(SimulatedNetwork.CLIENT_HOST, 3);
    send(s, third, Request.read("f"));
    assertEquals(0, onlyError(s, third).code());
    InetSocketAddress other = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 3);
    send(s, other, Request.read("f"));
    assertInstanceOf(TftpServerEvent.Refused.class, s.pollEvent());
    assertInstanceOf(TftpServerEvent.Accepted.class, s.pollEvent());
    InetSocketAddress fourth = new InetSocketAddress(SimulatedNetwork.SERVER_HOST, 4);
    send(s, fourth, Request.read("f"));
    ErrorPacket busy = onlyError(s, fourth);
    assertTrue(busy.message().contains("busy"), busy.message());
  }

  @Test
  void failingFileSourceIsError0NotACrash() {
    TftpFiles broken =
        (name, from) -> {
          throw new IllegalStateException("bug in the embedder's code");
        };
    TftpServer s = TftpServer.builder(broken).build();
    send(s, client, Request.read("f"));
    assertEquals(0, onlyError(s, client).code());
  }
}
