package dev.headend.tftp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packet layouts of RFC 1350 §5, RFC 2347 §2-3, and the errors for broken ones. */
class TftpPacketTest {
  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof Integer) {
        int v = (Integer) p;
        out.write(v >> 8);
        out.write(v);
      } else {
        out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
      }
    }
    return out.toByteArray();
  }

  private static TftpPacket decode(byte[] b) throws MalformedTftpPacketException {
    return TftpPacket.decode(ByteBuffer.wrap(b));
  }

  @Test
  void readRequestWithOptionsRoundTrips() throws Exception {
    byte[] wire = bytes(1, "pxelinux.0", "octet", "blksize", "1428", "tsize", "0");
    TftpPacket.Request r = (TftpPacket.Request) decode(wire);
    assertEquals("pxelinux.0", r.filename());
    assertEquals("octet", r.mode());
    assertEquals("1428", r.option("BLKSIZE").value());
    assertEquals(2, r.options().size());
    assertArrayEquals(wire, r.toBytes());
  }

  @Test
  void writeRequestModeIsCaseInsensitive() throws Exception {
    TftpPacket.Request r = (TftpPacket.Request) decode(bytes(2, "cm.cfg", "NetASCII"));
    assertTrue(r.write());
    assertTrue(r.netascii());
    assertEquals("NetASCII", r.mode(), "spelling kept for a lossless re-encode");
  }

  @Test
  void dataAckErrorOackLayouts() throws Exception {
    byte[] data = new byte[] {0, 3, 0, 7, 'a', 'b', 'c'};
    TftpPacket.Data d = (TftpPacket.Data) decode(data);
    assertEquals(7, d.block());
    assertEquals(3, d.length());
    assertArrayEquals(data, d.toBytes());
    assertEquals(new TftpPacket.Ack(65535), decode(new byte[] {0, 4, (byte) 0xff, (byte) 0xff}));
    TftpPacket.ErrorPacket e = (TftpPacket.ErrorPacket) decode(bytes(5, 1, "File not found"));
    assertEquals(ErrorCode.FILE_NOT_FOUND.code(), e.code());
    assertEquals("File not found", e.message());
    TftpPacket.OptionAck o = (TftpPacket.OptionAck) decode(bytes(6, "blksize", "1024"));
    assertEquals(List.of(new TftpOption("blksize", "1024")), o.options());
    assertArrayEquals(bytes(6), new TftpPacket.OptionAck(List.of()).toBytes());
  }

  @Test
  void emptyDataBlockEndsAFileOfWholeBlocks() throws Exception {
    TftpPacket.Data d = (TftpPacket.Data) decode(new byte[] {0, 3, 0, 2});
    assertEquals(0, d.length());
  }

  @Test
  void dataIsAViewUntilCopied() throws Exception {
    byte[] data = new byte[] {0, 3, 0, 1, 'x'};
    TftpPacket.Data view = (TftpPacket.Data) decode(data);
    TftpPacket.Data copy = view.copy();
    data[4] = 'y';
    assertEquals('y', view.data().get(0));
    assertEquals('x', copy.data().get(0));
  }

  @Test
  void decodeLeavesTheCallersBufferAlone() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(64);
    b.put(new byte[] {9, 9}).put(bytes(4, 3)).flip().position(2);
    assertEquals(new TftpPacket.Ack(3), TftpPacket.decode(b));
    assertEquals(2, b.position());
    assertEquals(6, b.limit());
  }

  @Test
  void brokenPacketsSayWhatAndWhere() {
    MalformedTftpPacketException e =
        assertThrows(MalformedTftpPacketException.class, () -> decode(new byte[] {0, 1, 'f', 'i'}));
    assertEquals(2, e.offset());
    assertTrue(e.getMessage().contains("file name"), e.getMessage());
    assertEquals(
        4,
        assertThrows(MalformedTftpPacketException.class, () -> decode(bytes(1, "f", ""))).offset());
    assertEquals(
        0,
        assertThrows(MalformedTftpPacketException.class, () -> decode(new byte[] {0, 9, 0, 0}))
            .offset());
    assertThrows(MalformedTftpPacketException.class, () -> decode(new byte[] {0, 4, 0}));
    assertThrows(MalformedTftpPacketException.class, () -> decode(new byte[] {0, 4, 0, 1, 0}));
    assertThrows(
        MalformedTftpPacketException.class, () -> decode(bytes(1, "f", "octet", "blksize")));
    assertThrows(MalformedTftpPacketException.class, () -> decode(bytes(5, 0, "m", "trailing")));
    assertThrows(MalformedTftpPacketException.class, () -> decode(new byte[] {0}));
    byte[] huge = new byte[4 + TftpPacket.MAX_BLKSIZE + 1];
    huge[1] = 3;
    assertThrows(MalformedTftpPacketException.class, () -> decode(huge));
  }

  @Test
  void optionsKeepOrderAndSpelling() throws Exception {
    byte[] wire = bytes(1, "f", "octet", "TSize", "0", "windowsize", "16", "x-vendor", "1");
    TftpPacket.Request r = (TftpPacket.Request) decode(wire);
    assertEquals("TSize", r.options().get(0).name());
    assertEquals("tsize", r.options().get(0).key());
    assertEquals("1", r.option("X-VENDOR").value());
    assertArrayEquals(wire, r.toBytes());
  }
}
