package dev.headend.tftp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Captures;
import dev.headend.testkit.TestData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Real captures (../shared/testdata/tftp): tcpdump's dissection and Zeek's tftp.log as oracles. */
class TftpCaptureVectorsTest {
  private static final Pattern LINE =
      Pattern.compile("^\\s*(\\d+)\\s+\\S+ \\S+ IP \\S+ > \\S+: TFTP, length (\\d+), (.*)$");

  private static List<TftpPacket> decodeAll(List<Captures.Datagram> datagrams) throws Exception {
    List<TftpPacket> out = new ArrayList<>();
    for (Captures.Datagram d : datagrams) {
      TftpPacket p = TftpPacket.decode(ByteBuffer.wrap(d.payload()));
      assertArrayEquals(d.payload(), p.toBytes(), "frame " + d.frame() + " re-encodes");
      out.add(p);
    }
    return out;
  }

  @Test
  void tcpdumpDissectionOfAReadTransfer() throws Exception {
    List<Captures.Datagram> datagrams = Captures.udp(TestData.path("tftp", "tcpdump", "tftp.pcap"));
    List<TftpPacket> packets = decodeAll(datagrams);
    int checked = 0;
    for (String line : TestData.text("tftp", "tcpdump", "tftp-T.out").split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      int frame = Integer.parseInt(m.group(1));
      int index = -1;
      for (int i = 0; i < datagrams.size(); i++) {
        if (datagrams.get(i).frame() == frame) {
          index = i;
        }
      }
      assertTrue(index >= 0, "frame " + frame + " is a UDP datagram");
      assertEquals(Integer.parseInt(m.group(2)), datagrams.get(index).payload().length);
      TftpPacket p = packets.get(index);
      String what = m.group(3);
      if (what.startsWith("RRQ")) {
        TftpPacket.Request r = assertInstanceOf(TftpPacket.Request.class, p);
        assertEquals("RRQ \"" + r.filename() + "\" " + r.mode(), what);
      } else if (what.startsWith("DATA block ")) {
        assertEquals(Integer.parseInt(what.substring(11)), ((TftpPacket.Data) p).block());
      } else if (what.startsWith("ACK block ")) {
        assertEquals(new TftpPacket.Ack(Integer.parseInt(what.substring(10))), p);
      } else {
        throw new AssertionError("unexpected dissection: " + what);
      }
      checked++;
    }
    assertEquals(datagrams.size(), checked, "every datagram has a dissection line");
  }

  /** Zeek's tftp.log: file name, mode, write flag, size, blocks sent and acknowledged. */
  private static void zeekTransfer(String capture, String log) throws Exception {
    List<TftpPacket> packets =
        decodeAll(Captures.udp(TestData.path("tftp", "zeek-spicy-tftp", capture)));
    String row = null;
    for (String line : TestData.text("tftp", "zeek-spicy-tftp", log).split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        row = line;
      }
    }
    String[] f = row.split("\t");
    TftpPacket.Request request = assertInstanceOf(TftpPacket.Request.class, packets.get(0));
    assertEquals(f[6].equals("T"), request.write());
    assertEquals(f[7], request.filename());
    assertEquals(f[8], request.mode());
    long size = 0;
    int blocksSent = 0;
    int blocksAcked = 0;
    for (TftpPacket p : packets) {
      if (p instanceof TftpPacket.Data) {
        size += ((TftpPacket.Data) p).length();
        blocksSent++;
      } else if (p instanceof TftpPacket.Ack && ((TftpPacket.Ack) p).block() > 0) {
        blocksAcked++;
      }
    }
    assertEquals(Long.parseLong(f[10]), size, "size");
    assertEquals(Integer.parseInt(f[11]), blocksSent, "block_sent");
    assertEquals(Integer.parseInt(f[12]), blocksAcked, "block_acked");
  }

  @Test
  void zeekReadRequestTransfer() throws Exception {
    zeekTransfer("tftp_rrq.pcap", "rrq__tftp.log");
  }

  @Test
  void zeekTransferWithAnOptionAcknowledgement() throws Exception {
    zeekTransfer("tftp_oack.pcap", "unsupported_option__tftp.log");
    // Zeek's analyzer calls opcode 6 unknown (weird.log); it is RFC 2347's OACK.
    boolean sawOack = false;
    for (TftpPacket p :
        decodeAll(Captures.udp(TestData.path("tftp", "zeek-spicy-tftp", "tftp_oack.pcap")))) {
      sawOack |= p instanceof TftpPacket.OptionAck;
    }
    assertTrue(sawOack);
    assertTrue(
        TestData.text("tftp", "zeek-spicy-tftp", "unsupported_option__weird.log")
            .contains("unknown_opcode\t6"));
  }
}
