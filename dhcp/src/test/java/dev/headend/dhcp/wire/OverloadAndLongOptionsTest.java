package dev.headend.dhcp.wire;

import static dev.headend.dhcp.wire.Wire.FILE;
import static dev.headend.dhcp.wire.Wire.SNAME;
import static dev.headend.dhcp.wire.Wire.ascii;
import static dev.headend.dhcp.wire.Wire.dhcp;
import static dev.headend.dhcp.wire.Wire.join;
import static dev.headend.dhcp.wire.Wire.option;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Option overload (RFC 2131 §4.1, RFC 2132 §9.3) and long options (RFC 3396): decoding concatenates
 * every instance of a code, options field then file then sname; building splits values over 255
 * bytes and overloads file and sname when the options field is full.
 */
class OverloadAndLongOptionsTest {

  private static DhcpMessage decode(byte[] w) throws MalformedDhcpMessageException {
    DhcpMessage m = DhcpCodec.decode(w);
    assertArrayEquals(w, m.encode());
    return m;
  }

  private static byte[] withField(byte[] w, int field, int... options) {
    return Wire.put(w, field, options);
  }

  @Test
  void overloadOneCarriesOptionsInTheFileField() throws Exception {
    byte[] w = dhcp(join(option(53, 5), option(52, 1), new int[] {255}));
    w = withField(w, FILE, join(option(67, ascii("pxelinux.0")), new int[] {255}));
    w = Wire.put(w, SNAME, ascii("tftp"));
    DhcpMessage m = decode(w);
    assertEquals("pxelinux.0", m.get(DhcpOption.BOOTFILE_NAME).orElseThrow());
    assertEquals(1, m.get(DhcpOption.OPTION_OVERLOAD).orElseThrow());
    assertEquals("", m.file(), "file holds options, not a name");
    assertEquals("tftp", m.sname(), "sname is still a name");
    assertEquals(List.of(53, 52, 67), m.optionCodes());
  }

  @Test
  void overloadTwoCarriesOptionsInTheSnameField() throws Exception {
    byte[] w = dhcp(join(option(52, 2), new int[] {255}));
    w = withField(w, SNAME, join(option(66, ascii("tftp.example")), new int[] {255}));
    w = Wire.put(w, FILE, ascii("boot.img"));
    DhcpMessage m = decode(w);
    assertEquals("tftp.example", m.get(DhcpOption.TFTP_SERVER_NAME).orElseThrow());
    assertEquals("", m.sname());
    assertEquals("boot.img", m.file());
  }

  @Test
  void concatenatesInstancesInOptionsThenFileThenSnameOrder() throws Exception {
    // RFC 3396 §6: the sname field lies before file in the packet, but is read after it
    byte[] w =
        dhcp(
            join(option(15, ascii("ab")), option(52, 3), option(15, ascii("cd")), new int[] {255}));
    w = withField(w, SNAME, join(option(15, ascii("gh")), new int[] {255}));
    w = withField(w, FILE, join(new int[] {0, 0}, option(15, ascii("ef")), new int[] {255, 7, 7}));
    DhcpMessage m = decode(w);
    assertEquals("abcdefgh", m.domainName().orElseThrow());
    assertEquals(List.of(15, 52), m.optionCodes());
    assertEquals("", m.sname());
    assertEquals("", m.file());
  }

  @Test
  void sameCodeInTheOptionsFieldIsConcatenatedInOrder() throws Exception {
    byte[] w = dhcp(join(option(55, 1, 3), option(53, 1), option(55, 6, 15), new int[] {255}));
    assertEquals(List.of(1, 3, 6, 15), decode(w).parameterRequestList().orElseThrow());
  }

  @Test
  void withoutOverloadTheFieldsAreNotSearchedForOptions() throws Exception {
    byte[] w = dhcp(255);
    w = withField(w, FILE, join(option(15, ascii("hidden")), new int[] {255}));
    DhcpMessage m = decode(w);
    assertTrue(m.domainName().isEmpty());
    assertTrue(m.file().startsWith("\u000f"), "the field is a plain name");
  }

  @Test
  void option52OnlyCountsInTheOptionsField() throws Exception {
    byte[] w = dhcp(join(option(52, 1), new int[] {255}));
    w = withField(w, FILE, join(option(52, 2), new int[] {255}));
    w = withField(w, SNAME, join(option(12, ascii("not-read")), new int[] {255}));
    DhcpMessage m = decode(w);
    assertEquals(1, m.overloadInForce());
    assertTrue(m.hostName().isEmpty());
    assertEquals(2, Arrays.stream(m.instanceOffsets()).filter(o -> m.encode()[o] == 52).count());
  }

  @Test
  void anInvalidOverloadValueOverloadsNothingAndFailsWhenRead() throws Exception {
    for (int[] bad : List.of(option(52, 4), option(52, 0), option(52, 1, 1), option(52))) {
      byte[] w = dhcp(join(bad, new int[] {255}));
      w = withField(w, FILE, join(option(67, ascii("x")), new int[] {255}));
      DhcpMessage m = decode(w);
      assertEquals(0, m.overloadInForce(), Arrays.toString(bad));
      assertTrue(m.get(DhcpOption.BOOTFILE_NAME).isEmpty());
      MalformedDhcpMessageException e =
          assertThrows(
              MalformedDhcpMessageException.class, () -> m.get(DhcpOption.OPTION_OVERLOAD));
      assertEquals(bad.length == 3 ? 242 : 240, e.offset(), "the bad value, or the option");
    }
  }

  @Test
  void anOverloadedFieldWithABrokenOptionIsMalformed() {
    byte[] w = dhcp(join(option(52, 1), new int[] {255}));
    byte[] broken = Wire.put(w, FILE + 120, 12, 20, 'x'); // 20 bytes declared, 6 left in file
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, () -> DhcpCodec.decode(broken));
    assertEquals(FILE + 120, e.offset());
    assertTrue(e.getMessage().contains("file field"), e.getMessage());
    byte[] noLength = Wire.put(w, SNAME + 63, 12);
    byte[] both = Wire.put(noLength, 242, 3);
    e = assertThrows(MalformedDhcpMessageException.class, () -> DhcpCodec.decode(both));
    assertEquals(SNAME + 63, e.offset());
  }

  @Test
  void anOverloadedFieldWithoutEndIsReadToItsEnd() throws Exception {
    byte[] w = dhcp(join(option(52, 2), new int[] {255}));
    int[] filler = new int[62];
    filler[0] = 224;
    filler[1] = 60;
    w = withField(w, SNAME, filler);
    assertEquals(60, decode(w).option(224).orElseThrow().length);
  }

  // ---- building

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  /** [code, length] of every instance, in RFC 3396 order, with the field it is in. */
  private static List<String> layout(DhcpMessage m) {
    List<String> out = new ArrayList<>();
    byte[] w = m.encode();
    for (int off : m.instanceOffsets()) {
      String field = off >= 240 ? "options" : off >= FILE ? "file" : "sname";
      out.add(field + ":" + (w[off] & 0xff) + "/" + (w[off + 1] & 0xff));
    }
    return out;
  }

  @Test
  void buildingSplitsValuesLongerThan255BytesIntoConsecutiveInstances() throws Exception {
    byte[] big = bytes(600, 1);
    DhcpMessage m =
        DhcpMessage.builder()
            .messageType(DhcpMessageType.OFFER)
            .option(224, big)
            .option(225, new byte[0])
            .option(226, bytes(255, 2))
            .option(227, bytes(256, 3))
            .build();
    assertEquals(
        List.of(
            "options:53/1",
            "options:224/255",
            "options:224/255",
            "options:224/90",
            "options:225/0",
            "options:226/255",
            "options:227/255",
            "options:227/1"),
        layout(m));
    assertArrayEquals(big, m.option(224).orElseThrow());
    assertArrayEquals(bytes(256, 3), m.option(227).orElseThrow());
    DhcpMessage again = DhcpCodec.decode(m.encode());
    assertEquals(m, again);
  }

  @Test
  void buildingOverloadsFileThenSnameWhenTheOptionsFieldIsFull() throws Exception {
    DhcpMessage m =
        DhcpMessage.builder()
            .maxLength(300) // 59 bytes of options and END after the cookie
            .messageType(DhcpMessageType.ACK)
            .serverIdentifier(Ipv4Address.parse("192.0.2.1"))
            .option(224, bytes(40, 1)) // options: 3 + 3 (52) + 6 + 42 = 54, 5 left
            .option(225, bytes(100, 2)) // does not fit: file, 25 left
            .option(226, bytes(50, 3)) // sname, 11 left
            .option(227, bytes(20, 4)) // back in file, 3 left
            .build();
    assertEquals(300, m.length());
    assertEquals(
        List.of(
            "options:53/1",
            "options:52/1",
            "options:54/4",
            "options:224/40",
            "file:225/100",
            "file:227/20",
            "sname:226/50"),
        layout(m));
    assertEquals(3, m.get(DhcpOption.OPTION_OVERLOAD).orElseThrow());
    assertArrayEquals(bytes(100, 2), m.option(225).orElseThrow());
    assertArrayEquals(bytes(20, 4), m.option(227).orElseThrow());
    assertEquals("", m.file());
    assertEquals("", m.sname());
  }

  @Test
  void buildingSplitsAnOptionAcrossFieldsOnlyWhenNoFieldHoldsItWhole() throws Exception {
    byte[] v = bytes(200, 9);
    DhcpMessage m =
        DhcpMessage.builder()
            .maxLength(300)
            .messageType(DhcpMessageType.ACK)
            .option(224, v)
            .build();
    // options: 53 (3) + 52 (3) + END leave 53 bytes: 51 of the value; file 127: 125; sname: 24
    assertEquals(
        List.of("options:53/1", "options:52/1", "options:224/51", "file:224/125", "sname:224/24"),
        layout(m));
    assertArrayEquals(v, m.option(224).orElseThrow());
    assertEquals(3, m.overloadInForce());
  }

  @Test
  void buildingNeverOverloadsAFieldTheCallerSet() throws Exception {
    DhcpMessage m =
        DhcpMessage.builder()
            .maxLength(300)
            .file("pxelinux.0")
            .option(224, bytes(58, 1))
            .option(225, bytes(10, 2))
            .build();
    // 224 fits only in sname; 225 still fits in the options field (they are different options)
    assertEquals(List.of("options:52/1", "options:225/10", "sname:224/58"), layout(m));
    assertEquals(2, m.get(DhcpOption.OPTION_OVERLOAD).orElseThrow());
    assertEquals("pxelinux.0", m.file());
    assertEquals("", m.sname());
    assertArrayEquals(bytes(58, 1), m.option(224).orElseThrow());
    assertArrayEquals(bytes(10, 2), m.option(225).orElseThrow());
  }

  @Test
  void buildingRefusesOptionsThatDoNotFitEvenOverloaded() {
    DhcpMessage.Builder b =
        DhcpMessage.builder().maxLength(300).sname("s").option(224, bytes(300, 1));
    IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
    assertTrue(e.getMessage().contains("option 224 is left over"), e.getMessage());
  }

  @Test
  void withoutMaxLengthEverythingGoesInTheOptionsField() throws Exception {
    DhcpMessage m = DhcpMessage.builder().option(224, bytes(1000, 1)).build();
    assertEquals(0, m.overloadInForce());
    assertEquals(240 + 4 * 2 + 1000 + 1, m.length());
  }

  @Test
  void option52IsTheBuildersToSet() {
    assertThrows(
        IllegalArgumentException.class, () -> DhcpMessage.builder().option(52, new byte[] {1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> DhcpMessage.builder().set(DhcpOption.OPTION_OVERLOAD, 1));
    assertThrows(
        IllegalArgumentException.class, () -> DhcpMessage.builder().option(0, new byte[0]));
    assertThrows(
        IllegalArgumentException.class, () -> DhcpMessage.builder().option(255, new byte[0]));
  }

  @Test
  void toBuilderJoinsInstancesAndLaysOutAnew() throws Exception {
    byte[] w = dhcp(join(option(15, ascii("ab")), option(52, 1), new int[] {255}));
    w = withField(w, FILE, join(option(15, ascii("cd")), new int[] {255}));
    DhcpMessage m = decode(w);
    DhcpMessage copy = m.toBuilder().build();
    assertEquals("abcd", copy.domainName().orElseThrow());
    assertEquals(0, copy.overloadInForce());
    assertEquals(List.of(15), copy.optionCodes());
    assertEquals(300, copy.length(), "new messages are padded to the BOOTP minimum");
    assertEquals("", copy.file());
  }
}
