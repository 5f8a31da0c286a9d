package dev.headend.dhcp.wire;

import static dev.headend.dhcp.wire.Wire.dhcp;
import static dev.headend.dhcp.wire.Wire.join;
import static dev.headend.dhcp.wire.Wire.option;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Option 81, RFC 4702: flags, RCODE1/RCODE2, and a wire-format (or deprecated ASCII) name. */
class ClientFqdnTest {

  private static ClientFqdn decode(int... value) throws MalformedDhcpMessageException {
    return DhcpCodec.decode(dhcp(join(option(81, value), new int[] {255})))
        .clientFqdn()
        .orElseThrow();
  }

  @Test
  void flagBitsAreSOENFromTheLowBitPerRfc4702Section2_1() throws Exception {
    assertEquals(1, ClientFqdn.FLAG_S);
    assertEquals(2, ClientFqdn.FLAG_O);
    assertEquals(4, ClientFqdn.FLAG_E);
    assertEquals(8, ClientFqdn.FLAG_N);
    ClientFqdn f = decode(0x05, 0, 0);
    assertTrue(f.serverUpdate());
    assertFalse(f.overridden());
    assertTrue(f.wireFormat());
    assertFalse(f.noServerUpdate());
    ClientFqdn g = decode(0x0a, 255, 255);
    assertFalse(g.serverUpdate());
    assertTrue(g.overridden());
    assertFalse(g.wireFormat());
    assertTrue(g.noServerUpdate());
    assertEquals(255, g.rcode1());
    assertEquals(255, g.rcode2());
  }

  @Test
  void reservedFlagBitsAreKeptAndIgnored() throws Exception {
    ClientFqdn f = decode(0xf5, 0, 0, 1, 'a', 0);
    assertEquals(0xf5, f.flags());
    assertEquals("a.", f.domainName());
  }

  @Test
  void aFullyQualifiedWireNameEndsWithTheRootLabel() throws Exception {
    ClientFqdn f =
        decode(
            0x05, 0, 0, 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o',
            'm', 0);
    assertEquals("host.example.com.", f.domainName());
    assertTrue(f.isFullyQualified());
    assertEquals(f, ClientFqdn.of(ClientFqdn.FLAG_S | ClientFqdn.FLAG_E, "host.example.com."));
  }

  @Test
  void aPartialWireNameHasNoRootLabel() throws Exception {
    ClientFqdn f = decode(0x04, 0, 0, 4, 'h', 'o', 's', 't');
    assertEquals("host", f.domainName());
    assertFalse(f.isFullyQualified());
    assertEquals(
        "040000" + "04686f7374",
        HexFormat.of().formatHex(ClientFqdn.of(ClientFqdn.FLAG_E, "host").toBytes()));
  }

  @Test
  void theNameMayBeEmptyOrTheRootAlone() throws Exception {
    assertEquals("", decode(0x04, 0, 0).domainName());
    ClientFqdn root = decode(0x04, 0, 0, 0);
    assertEquals(".", root.domainName());
    assertTrue(root.isFullyQualified());
    assertArrayEquals(new byte[] {4, 0, 0, 0}, ClientFqdn.of(4, ".").toBytes());
  }

  @Test
  void theDeprecatedAsciiFormIsReadAsIs() throws Exception {
    ClientFqdn f = decode(0x01, 0, 0, 'p', 'c', '.', 'l', 'a', 'n', '.');
    assertFalse(f.wireFormat());
    assertEquals("pc.lan.", f.domainName());
    assertTrue(f.isFullyQualified());
    assertArrayEquals(new byte[] {1, 0, 0, 'p', 'c'}, ClientFqdn.of(1, "pc").toBytes());
  }

  @Test
  void labelBytesThatAreNotPrintableAreEscaped() throws Exception {
    ClientFqdn f = decode(0x04, 0, 0, 5, 'a', '.', 'b', '\\', 200, 0);
    assertEquals("a\\.b\\\\\\200.", f.domainName());
    assertTrue(f.isFullyQualified());
    assertEquals(f, ClientFqdn.of(4, "a\\.b\\\\\\200."));
    ClientFqdn dot = decode(0x04, 0, 0, 2, 'a', '.');
    assertEquals("a\\.", dot.domainName());
    assertFalse(dot.isFullyQualified(), "an escaped dot is part of the label");
  }

  @Test
  void rejectsCompressionPointers() {
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, () -> decode(0x04, 0, 0, 0xc0, 0x0c));
    assertEquals(245, e.offset());
  }

  @Test
  void rejectsALabelRunningPastTheOption() {
    assertThrows(MalformedDhcpMessageException.class, () -> decode(0x04, 0, 0, 5, 'a', 'b'));
  }

  @Test
  void rejectsBytesAfterTheRootLabel() {
    MalformedDhcpMessageException e =
        assertThrows(
            MalformedDhcpMessageException.class, () -> decode(0x04, 0, 0, 1, 'a', 0, 1, 'b'));
    assertEquals(248, e.offset());
  }

  @Test
  void rejectsAnOptionShorterThanThreeBytes() {
    assertThrows(MalformedDhcpMessageException.class, () -> decode(0x04, 0));
  }

  @Test
  void rejectsNamesOver255Bytes() {
    int[] v = new int[3 + 5 * 52];
    v[0] = 4;
    for (int i = 0; i < 52; i++) {
      v[3 + i * 5] = 4;
      v[4 + i * 5] = 'a';
      v[5 + i * 5] = 'b';
      v[6 + i * 5] = 'c';
      v[7 + i * 5] = 'd';
    }
    assertThrows(MalformedDhcpMessageException.class, () -> decode(v));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a..b", ".a", "a\\", "a\\25", "a\\256", "é.example", "x\\1a"})
  void buildingRefusesNamesThatCannotBeEncoded(String name) {
    assertThrows(IllegalArgumentException.class, () -> ClientFqdn.of(ClientFqdn.FLAG_E, name));
  }

  @Test
  void buildingRefusesLongLabelsAndNames() {
    assertThrows(IllegalArgumentException.class, () -> ClientFqdn.of(4, "a".repeat(64)));
    String label = "a".repeat(63);
    assertThrows(
        IllegalArgumentException.class,
        () -> ClientFqdn.of(4, String.join(".", label, label, label, label) + "."));
    assertThrows(IllegalArgumentException.class, () -> ClientFqdn.of(256, "a"));
    assertThrows(IllegalArgumentException.class, () -> ClientFqdn.of(0, "\u0100"));
  }

  @Test
  void roundTripsInAMessage() throws Exception {
    ClientFqdn f =
        ClientFqdn.of(ClientFqdn.FLAG_S | ClientFqdn.FLAG_E, 0, 0, "pc-17.branch.example.");
    DhcpMessage m = DhcpMessage.builder().clientFqdn(f).build();
    ClientFqdn back = DhcpCodec.decode(m.encode()).clientFqdn().orElseThrow();
    assertEquals(f, back);
    assertEquals(f.hashCode(), back.hashCode());
    assertEquals("pc-17.branch.example.", back.domainName());
    assertTrue(back.toString().contains("pc-17.branch.example."));
  }
}
