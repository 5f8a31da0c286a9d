package dev.headend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small reader for the captures in the test data: libpcap and pcapng files, link types Ethernet
 * (with 802.1Q tags), Linux cooked (SLL and SLL2), BSD/OpenBSD loopback, PPP and raw IP; IPv4 and
 * UDP down to the payload. Only what the tests need; anything else is skipped.
 *
 * <pre>{@code
 * for (Captures.Datagram d : Captures.udp(TestData.path("tftp", "tcpdump", "tftp.pcap"))) {
 *   TftpPacket.decode(ByteBuffer.wrap(d.payload()));
 * }
 * }</pre>
 */
public final class Captures {
  private Captures() {}

  /**
   * One UDP datagram of a capture.
   *
   * @param frame the frame number in the capture, from 1 (as {@code tcpdump -#} counts)
   * @param source the IPv4 source address, dotted quad
   * @param sourcePort the UDP source port
   * @param destination the IPv4 destination address, dotted quad
   * @param destinationPort the UDP destination port
   * @param payload the UDP payload as captured (cut short when the capture was)
   * @param truncated whether the UDP or IP header claims more bytes than were captured
   */
  public record Datagram(
      int frame,
      String source,
      int sourcePort,
      String destination,
      int destinationPort,
      byte[] payload,
      boolean truncated) {

    /** Whether either port is one of {@code ports}. */
    public boolean involvesPort(int... ports) {
      for (int p : ports) {
        if (sourcePort == p || destinationPort == p) {
          return true;
        }
      }
      return false;
    }
  }

  /** The UDP datagrams of a capture file, in order. */
  public static List<Datagram> udp(Path capture) {
    try {
      return udp(Files.readAllBytes(capture));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The UDP datagrams of a capture held in memory, in order. */
  public static List<Datagram> udp(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file);
    List<Datagram> out = new ArrayList<>();
    int magic = b.getInt(0);
    if (magic == 0x0A0D0D0A) {
      readPcapng(b, out);
    } else {
      readPcap(b, out);
    }
    return out;
  }

  private static void readPcap(ByteBuffer b, List<Datagram> out) {
    int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
      b.order(ByteOrder.LITTLE_ENDIAN);
      magic = b.getInt(0);
      if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        throw new IllegalArgumentException("not a pcap file");
      }
    }
    int linkType = b.getInt(20) & 0xffff;
    int p = 24;
    int frame = 0;
    while (p + 16 <= b.limit()) {
      int caplen = b.getInt(p + 8);
      p += 16;
      int len = Math.min(caplen, b.limit() - p);
      frame++;
      decodeFrame(frame, linkType, Arrays.copyOfRange(b.array(), p, p + len), out);
      p += len;
    }
  }

  private static void readPcapng(ByteBuffer b, List<Datagram> out) {
    List<Integer> linkTypes = new ArrayList<>();
    int p = 0;
    int frame = 0;
    while (p + 12 <= b.limit()) {
      int type = b.getInt(p);
      if (type == 0x0A0D0D0A) {
        int bom = b.order(ByteOrder.BIG_ENDIAN).getInt(p + 8);
        b.order(bom == 0x1A2B3C4D ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        linkTypes.clear();
      }
      int total = b.getInt(p + 4);
      if (total < 12 || p + total > b.limit()) {
        break;
      }
      int body = p + 8;
      switch (b.getInt(p)) {
        case 1 -> linkTypes.add(b.getShort(body) & 0xffff);
        case 6 -> {
          int iface = b.getInt(body);
          int caplen = Math.min(b.getInt(body + 12), total - 32);
          frame++;
          byte[] data = Arrays.copyOfRange(b.array(), body + 20, body + 20 + caplen);
          decodeFrame(frame, linkTypes.get(iface), data, out);
        }
        case 3 -> {
          int caplen = Math.min(b.getInt(body), total - 16);
          frame++;
          byte[] data = Arrays.copyOfRange(b.array(), body + 4, body + 4 + caplen);
          decodeFrame(frame, linkTypes.get(0), data, out);
        }
        default -> {}
      }
      p += total;
    }
  }

  /** Decodes one link-layer frame; adds the datagram if it is IPv4/UDP. */
  /**
   * Decodes one link-layer frame (a pcap link type: 1 Ethernet, 113 Linux SLL, ...) and adds its
   * UDP datagram, if it carries one, to {@code out}.
   */
  public static void decodeFrame(int frame, int linkType, byte[] f, List<Datagram> out) {
    ByteBuffer b = ByteBuffer.wrap(f);
    int ip;
    switch (linkType) {
      case 1 -> { // Ethernet
        if (f.length < 14) {
          return;
        }
        int p = 12;
        int etherType = b.getShort(p) & 0xffff;
        while ((etherType == 0x8100 || etherType == 0x88a8) && p + 6 <= f.length) {
          p += 4;
          etherType = b.getShort(p) & 0xffff;
        }
        if (etherType != 0x0800) {
          return;
        }
        ip = p + 2;
      }
      case 113 -> { // Linux cooked v1
        if (f.length < 16 || (b.getShort(14) & 0xffff) != 0x0800) {
          return;
        }
        ip = 16;
      }
      case 276 -> { // Linux cooked v2
        if (f.length < 20 || (b.getShort(0) & 0xffff) != 0x0800) {
          return;
        }
        ip = 20;
      }
      case 0, 108 -> { // BSD loopback: address family in host or network order
        if (f.length < 4) {
          return;
        }
        int family = b.getInt(0);
        if (family != 2 && Integer.reverseBytes(family) != 2) {
          return;
        }
        ip = 4;
      }
      case 9 -> { // PPP, with or without address/control bytes
        int p = f.length >= 2 && (f[0] & 0xff) == 0xff && f[1] == 0x03 ? 2 : 0;
        if (f.length < p + 2 || (b.getShort(p) & 0xffff) != 0x0021) {
          return;
        }
        ip = p + 2;
      }
      case 12, 14, 101, 228 -> ip = 0; // raw IP
      default -> {
        return;
      }
    }
    decodeIpv4(frame, f, ip, out);
  }

  private static void decodeIpv4(int frame, byte[] f, int ip, List<Datagram> out) {
    ByteBuffer b = ByteBuffer.wrap(f);
    if (f.length < ip + 20 || (f[ip] & 0xf0) != 0x40 || f[ip + 9] != 17) {
      return;
    }
    if ((b.getShort(ip + 6) & 0x1fff) != 0) {
      return; // a later fragment
    }
    int ihl = (f[ip] & 0x0f) * 4;
    int total = b.getShort(ip + 2) & 0xffff;
    int end = Math.min(f.length, ip + total);
    int udp = ip + ihl;
    if (udp + 8 > end) {
      return;
    }
    int udpLength = b.getShort(udp + 4) & 0xffff;
    int payloadEnd = Math.min(end, udp + udpLength);
    boolean truncated = ip + total > f.length || udp + udpLength > end;
    out.add(
        new Datagram(
            frame,
            dottedQuad(f, ip + 12),
            b.getShort(udp) & 0xffff,
            dottedQuad(f, ip + 16),
            b.getShort(udp + 2) & 0xffff,
            Arrays.copyOfRange(f, udp + 8, Math.max(udp + 8, payloadEnd)),
            truncated));
  }

  private static String dottedQuad(byte[] f, int at) {
    return (f[at] & 0xff)
        + "."
        + (f[at + 1] & 0xff)
        + "."
        + (f[at + 2] & 0xff)
        + "."
        + (f[at + 3] & 0xff);
  }
}
