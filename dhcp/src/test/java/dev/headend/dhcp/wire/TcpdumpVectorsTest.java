package dev.headend.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.testkit.Captures;
import dev.headend.testkit.TestData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every DHCPv4 packet of tcpdump's test captures (../shared/testdata/dhcp/tcpdump), decoded and
 * re-encoded byte for byte, with every header field and option tcpdump prints checked against what
 * the decoder reads: op, xid, hops, secs, flags, the four addresses, chaddr, sname, file, the magic
 * cookie (or its absence), and each option instance's code, length and value.
 */
class TcpdumpVectorsTest {

  private static final Pattern PACKET_START = Pattern.compile("^\\s*(\\d+)  \\d{4}-\\d\\d-\\d\\d ");
  private static final Pattern OPTION =
      Pattern.compile("^\\t {4}(\\S[^(]*?) \\((\\d+)\\), length (\\d+)(.*)$");
  private static final List<String> FIELDS =
      List.of(
          "Client-IP",
          "Your-IP",
          "Server-IP",
          "Gateway-IP",
          "Client-Ethernet-Address",
          "sname",
          "file",
          "Vendor-rfc1048 Extensions",
          "Magic Cookie",
          "Vendor-#");

  /** What tcpdump printed for one BOOTP packet. */
  static final class Expected {
    final int frame;
    String header = "";
    final Map<String, String> fields = new LinkedHashMap<>();
    final List<ExpectedOption> options = new ArrayList<>();

    Expected(int frame) {
      this.frame = frame;
    }
  }

  /** One option line and the lines indented below it. */
  record ExpectedOption(String name, int code, int length, String rest, List<String> more) {}

  /** The BOOTP packets of an .out file, by frame number. */
  static Map<Integer, Expected> parse(String out) {
    Map<Integer, Expected> packets = new LinkedHashMap<>();
    Expected current = null;
    int frame = 0;
    for (String line : out.split("\n")) {
      Matcher start = PACKET_START.matcher(line);
      if (start.find()) {
        frame = Integer.parseInt(start.group(1));
        current = null;
        continue;
      }
      if (line.contains("BOOTP/DHCP, ")) {
        current = new Expected(frame);
        current.header = line.substring(line.indexOf("BOOTP/DHCP, "));
        packets.put(frame, current);
        continue;
      }
      if (current == null) {
        continue;
      }
      Matcher option = OPTION.matcher(line);
      if (option.matches()) {
        current.options.add(
            new ExpectedOption(
                option.group(1),
                Integer.parseInt(option.group(2)),
                Integer.parseInt(option.group(3)),
                option.group(4),
                new ArrayList<>()));
      } else if ((line.startsWith("\t     ") || line.startsWith("\t\t"))
          && !current.options.isEmpty()) {
        current.options.get(current.options.size() - 1).more().add(line.trim());
      } else {
        String text = line.trim();
        for (String name : FIELDS) {
          if (text.startsWith(name)) {
            boolean keyed = name.endsWith("#");
            current.fields.put(
                keyed ? text : name, keyed ? "" : text.substring(name.length()).trim());
          }
        }
      }
    }
    return packets;
  }

  @TestFactory
  Stream<DynamicTest> dhcpRfc3004UserClass() {
    return vectors("dhcp-rfc3004.pcap", "dhcp-rfc3004-v.out");
  }

  @TestFactory
  Stream<DynamicTest> dhcpRfc4388Leasequery() {
    return vectors("dhcp-rfc4388.pcap", "dhcp-rfc4388.out");
  }

  @TestFactory
  Stream<DynamicTest> dhcpOption33StaticRoutes() {
    return vectors("dhcp-option-33.pcap", "dhcp-option-33.out");
  }

  @TestFactory
  Stream<DynamicTest> bootpAsanTruncated() {
    return vectors("bootp_asan-2.pcap", "bootp_asan-2.out");
  }

  @TestFactory
  Stream<DynamicTest> dhcpRfc5970SztpRedirect() {
    return vectors("dhcpv4v6-rfc5970-rfc8572.pcap", "dhcpv4v6-rfc5970-rfc8572.out");
  }

  private static Stream<DynamicTest> vectors(String capture, String out) {
    Map<Integer, Expected> expected = parse(TestData.text("dhcp", "tcpdump", out));
    List<Captures.Datagram> datagrams =
        Captures.udp(TestData.path("dhcp", "tcpdump", capture)).stream()
            .filter(d -> d.involvesPort(67, 68))
            .collect(Collectors.toList());
    assertFalse(datagrams.isEmpty(), capture + " has DHCPv4 datagrams");
    assertEquals(
        expected.keySet(),
        datagrams.stream().map(Captures.Datagram::frame).collect(Collectors.toSet()),
        "every DHCPv4 datagram of " + capture + " has a dissection in " + out + ", and back");
    return datagrams.stream()
        .map(
            d ->
                DynamicTest.dynamicTest(
                    capture + " #" + d.frame(), () -> check(d, expected.get(d.frame()))));
  }

  static void check(Captures.Datagram d, Expected e) throws Exception {
    assertNotNull(e);
    byte[] payload = d.payload();
    if (e.header.contains("[|bootp]")) {
      // tcpdump stopped at the end of the data: the message is cut short
      assertTrue(d.truncated());
      MalformedDhcpMessageException x =
          assertThrows(MalformedDhcpMessageException.class, () -> DhcpCodec.decode(payload));
      assertEquals(payload.length, x.offset());
      return;
    }
    DhcpMessage m = DhcpCodec.decode(ByteBuffer.wrap(payload));
    assertArrayEquals(payload, m.encode(), "re-encodes to the captured bytes");

    // header line
    assertEquals(length(e.header), payload.length, "length");
    assertEquals(e.header.startsWith("BOOTP/DHCP, Request") ? 1 : 2, m.op(), "op");
    assertEquals(
        Long.parseLong(group(e.header, "xid 0x([0-9a-f]+)").orElseThrow(), 16),
        m.xid() & 0xffffffffL);
    assertEquals(group(e.header, "hops (\\d+)").map(Integer::parseInt).orElse(0), m.hops());
    assertEquals(group(e.header, "secs (\\d+)").map(Integer::parseInt).orElse(0), m.secs());
    String flags = group(e.header, "Flags \\[([^]]*)\\]").orElseThrow();
    assertEquals(flags.contains("Broadcast"), m.broadcast(), "broadcast flag");
    group(e.header, "Request from ([0-9a-f:]{17})")
        .ifPresent(mac -> assertEquals(MacAddress.parse(mac), m.clientMac().orElseThrow()));

    // fixed fields: tcpdump prints those that are not zero
    assertEquals(address(e, "Client-IP"), m.ciaddr(), "ciaddr");
    assertEquals(address(e, "Your-IP"), m.yiaddr(), "yiaddr");
    assertEquals(address(e, "Server-IP"), m.siaddr(), "siaddr");
    assertEquals(address(e, "Gateway-IP"), m.giaddr(), "giaddr");
    assertEquals(
        MacAddress.parse(e.fields.get("Client-Ethernet-Address")), m.clientMac().orElseThrow());
    assertEquals(unquote(e.fields.getOrDefault("sname", "\"\"")), m.sname());
    assertEquals(unquote(e.fields.getOrDefault("file", "\"\"")), m.file());

    // the vendor area
    String vendor =
        e.fields.keySet().stream().filter(k -> k.startsWith("Vendor-#")).findFirst().orElse(null);
    if (vendor != null) {
      assertFalse(m.hasMagicCookie(), "a bad cookie means plain BOOTP");
      assertTrue(m.optionCodes().isEmpty());
      assertEquals(
          vendor.substring("Vendor-#0x".length()), HexFormat.of().formatHex(m.vendorArea(), 0, 4));
      return;
    }
    assertTrue(e.fields.containsKey("Vendor-rfc1048 Extensions"));
    assertEquals("0x63825363", e.fields.get("Magic Cookie"));
    assertTrue(m.hasMagicCookie());

    // options, instance by instance
    int[] offsets = m.instanceOffsets();
    byte[] wire = m.encode();
    List<ExpectedOption> listed = new ArrayList<>(e.options);
    boolean endListed = listed.removeIf(o -> o.code() == 255);
    assertEquals(listed.size(), offsets.length, "number of options");
    for (int i = 0; i < offsets.length; i++) {
      ExpectedOption o = listed.get(i);
      assertEquals(o.code(), wire[offsets[i]] & 0xff, "code of option " + i);
      assertEquals(o.length(), wire[offsets[i] + 1] & 0xff, "length of option " + o.code());
      checkValue(m, o, offsets[i]);
    }
    if (endListed) {
      int last = offsets[offsets.length - 1];
      assertEquals(255, wire[last + 2 + (wire[last + 1] & 0xff)] & 0xff, "END follows");
    }
  }

  private static void checkValue(DhcpMessage m, ExpectedOption o, int offset) throws Exception {
    String value = o.rest().startsWith(": ") ? o.rest().substring(2) : o.rest().trim();
    DhcpOption<?> typed = DhcpOption.forCode(o.code()).orElse(null);
    if (value.startsWith("[length")) {
      // tcpdump refuses the contents: so does the typed accessor, pointing at the option
      MalformedDhcpMessageException x =
          assertThrows(MalformedDhcpMessageException.class, () -> m.get(typed));
      assertEquals(offset, x.offset());
      return;
    }
    switch (o.code()) {
      case 53 ->
          assertTrue(m.messageType().orElseThrow().name().equalsIgnoreCase(value), o + " vs " + m);
      case 55 ->
          assertEquals(codesIn(String.join(" ", o.more())), m.parameterRequestList().orElseThrow());
      case 61 -> {
        ClientId id = m.clientId().orElseThrow();
        assertEquals(value, "\"" + caretNotation(id.identifier()) + "\"");
      }
      case 77 -> {
        List<String> classes = m.get(DhcpOption.USER_CLASS).orElseThrow();
        assertEquals(o.more().size(), classes.size());
        for (int i = 0; i < classes.size(); i++) {
          assertEquals(
              "instance#"
                  + (i + 1)
                  + ": \""
                  + classes.get(i)
                  + "\", length "
                  + classes.get(i).length(),
              o.more().get(i));
        }
      }
      case 143 -> { // SZTP redirect (RFC 8572): not typed here; 16-bit length-prefixed URIs
        ByteBuffer v = ByteBuffer.wrap(m.option(143).orElseThrow());
        for (String line : o.more()) {
          int len = v.getShort() & 0xffff;
          byte[] uri = new byte[len];
          v.get(uri);
          assertEquals(
              line, "length " + len + ": \"" + new String(uri, StandardCharsets.US_ASCII) + "\"");
        }
        assertFalse(v.hasRemaining());
      }
      default -> {
        if (typed == null) {
          fail("no check for option " + o);
        }
        assertEquals(value, render(m.get(typed).orElseThrow()), o.toString());
      }
    }
  }

  /** A typed value as tcpdump prints it. */
  private static String render(Object v) {
    if (v instanceof List<?> list) {
      return list.stream().map(TcpdumpVectorsTest::render).collect(Collectors.joining(","));
    }
    if (v instanceof AddressPair p) {
      return "(" + p.first() + ":" + p.second() + ")";
    }
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    return String.valueOf(v);
  }

  private static String caretNotation(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      int c = x & 0xff;
      sb.append(c < 0x20 ? "^" + (char) (c + '@') : String.valueOf((char) c));
    }
    return sb.toString();
  }

  private static List<Integer> codesIn(String text) {
    List<Integer> codes = new ArrayList<>();
    Matcher m = Pattern.compile("\\((\\d+)\\)").matcher(text);
    while (m.find()) {
      codes.add(Integer.parseInt(m.group(1)));
    }
    return codes;
  }

  private static Ipv4Address address(Expected e, String field) {
    String v = e.fields.get(field);
    return v == null ? Ipv4Address.ANY : Ipv4Address.parse(v);
  }

  private static int length(String header) {
    return Integer.parseInt(group(header, "length (\\d+)").orElseThrow());
  }

  private static Optional<String> group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String unquote(String s) {
    return s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }
}
