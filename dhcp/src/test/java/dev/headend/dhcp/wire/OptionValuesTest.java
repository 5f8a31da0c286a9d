package dev.headend.dhcp.wire;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every typed option: its wire form (RFC 2132 and the later RFCs), a round trip through the builder
 * and the decoder, and the contents its RFC forbids.
 */
class OptionValuesTest {

  private static final Ipv4Address A = Ipv4Address.parse("192.0.2.1");
  private static final Ipv4Address B = Ipv4Address.parse("198.51.100.2");
  private static final List<Ipv4Address> AB = List.of(A, B);
  private static final String AB_HEX = "c0000201c6336402";

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of(DhcpOption.SUBNET_MASK, Ipv4Address.parse("255.255.255.0"), "ffffff00"),
        Arguments.of(DhcpOption.TIME_OFFSET, -18000, "ffffb9b0"),
        Arguments.of(DhcpOption.ROUTERS, AB, AB_HEX),
        Arguments.of(DhcpOption.TIME_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.NAME_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.DOMAIN_NAME_SERVERS, List.of(A), "c0000201"),
        Arguments.of(DhcpOption.LOG_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.COOKIE_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.LPR_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.IMPRESS_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.RESOURCE_LOCATION_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.HOST_NAME, "pc-1", "70632d31"),
        Arguments.of(DhcpOption.BOOT_FILE_SIZE, 4096, "1000"),
        Arguments.of(DhcpOption.MERIT_DUMP_FILE, "/d", "2f64"),
        Arguments.of(DhcpOption.DOMAIN_NAME, "lan", "6c616e"),
        Arguments.of(DhcpOption.SWAP_SERVER, A, "c0000201"),
        Arguments.of(DhcpOption.ROOT_PATH, "/nfs", "2f6e6673"),
        Arguments.of(DhcpOption.EXTENSIONS_PATH, "x", "78"),
        Arguments.of(DhcpOption.IP_FORWARDING, true, "01"),
        Arguments.of(DhcpOption.NON_LOCAL_SOURCE_ROUTING, false, "00"),
        Arguments.of(
            DhcpOption.POLICY_FILTER,
            List.of(new AddressPair(A, Ipv4Address.parse("255.255.255.255"))),
            "c0000201ffffffff"),
        Arguments.of(DhcpOption.MAX_DATAGRAM_REASSEMBLY_SIZE, 576, "0240"),
        Arguments.of(DhcpOption.DEFAULT_IP_TTL, 64, "40"),
        Arguments.of(DhcpOption.PATH_MTU_AGING_TIMEOUT, 600L, "00000258"),
        Arguments.of(DhcpOption.PATH_MTU_PLATEAU_TABLE, List.of(68, 1500), "004405dc"),
        Arguments.of(DhcpOption.INTERFACE_MTU, 1500, "05dc"),
        Arguments.of(DhcpOption.ALL_SUBNETS_LOCAL, true, "01"),
        Arguments.of(DhcpOption.BROADCAST_ADDRESS, B, "c6336402"),
        Arguments.of(DhcpOption.PERFORM_MASK_DISCOVERY, false, "00"),
        Arguments.of(DhcpOption.MASK_SUPPLIER, true, "01"),
        Arguments.of(DhcpOption.PERFORM_ROUTER_DISCOVERY, true, "01"),
        Arguments.of(DhcpOption.ROUTER_SOLICITATION_ADDRESS, A, "c0000201"),
        Arguments.of(DhcpOption.STATIC_ROUTES, List.of(new AddressPair(A, B)), AB_HEX),
        Arguments.of(DhcpOption.TRAILER_ENCAPSULATION, false, "00"),
        Arguments.of(DhcpOption.ARP_CACHE_TIMEOUT, 60L, "0000003c"),
        Arguments.of(DhcpOption.ETHERNET_ENCAPSULATION, true, "01"),
        Arguments.of(DhcpOption.TCP_DEFAULT_TTL, 255, "ff"),
        Arguments.of(DhcpOption.TCP_KEEPALIVE_INTERVAL, 0L, "00000000"),
        Arguments.of(DhcpOption.TCP_KEEPALIVE_GARBAGE, true, "01"),
        Arguments.of(DhcpOption.NIS_DOMAIN, "nis", "6e6973"),
        Arguments.of(DhcpOption.NIS_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.NTP_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.VENDOR_SPECIFIC_INFORMATION, new byte[] {1, 1, 0}, "010100"),
        Arguments.of(DhcpOption.NETBIOS_NAME_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.NETBIOS_DATAGRAM_DISTRIBUTION_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.NETBIOS_NODE_TYPE, 8, "08"),
        Arguments.of(DhcpOption.NETBIOS_SCOPE, "s", "73"),
        Arguments.of(DhcpOption.X_WINDOW_FONT_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.X_WINDOW_DISPLAY_MANAGERS, AB, AB_HEX),
        Arguments.of(DhcpOption.REQUESTED_IP_ADDRESS, A, "c0000201"),
        Arguments.of(DhcpOption.IP_ADDRESS_LEASE_TIME, 0xffff_ffffL, "ffffffff"),
        Arguments.of(DhcpOption.DHCP_MESSAGE_TYPE, DhcpMessageType.LEASEACTIVE, "0d"),
        Arguments.of(DhcpOption.SERVER_IDENTIFIER, A, "c0000201"),
        Arguments.of(DhcpOption.PARAMETER_REQUEST_LIST, List.of(1, 3, 6, 121, 255), "01030679ff"),
        Arguments.of(DhcpOption.MESSAGE, "no", "6e6f"),
        Arguments.of(DhcpOption.MAX_DHCP_MESSAGE_SIZE, 1500, "05dc"),
        Arguments.of(DhcpOption.RENEWAL_TIME, 1800L, "00000708"),
        Arguments.of(DhcpOption.REBINDING_TIME, 3150L, "00000c4e"),
        Arguments.of(DhcpOption.VENDOR_CLASS_IDENTIFIER, "PXEClient", "505845436c69656e74"),
        Arguments.of(
            DhcpOption.CLIENT_IDENTIFIER,
            ClientId.ofMac(MacAddress.parse("00:0c:29:1f:74:06")),
            "01000c291f7406"),
        Arguments.of(DhcpOption.NISPLUS_DOMAIN, "n", "6e"),
        Arguments.of(DhcpOption.NISPLUS_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.TFTP_SERVER_NAME, "tftp", "74667470"),
        Arguments.of(DhcpOption.BOOTFILE_NAME, "a.efi", "612e656669"),
        Arguments.of(DhcpOption.MOBILE_IP_HOME_AGENTS, List.of(), ""),
        Arguments.of(DhcpOption.SMTP_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.POP3_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.NNTP_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.WWW_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.FINGER_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.IRC_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.STREETTALK_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.STDA_SERVERS, AB, AB_HEX),
        Arguments.of(DhcpOption.USER_CLASS, List.of("ab", "c"), "0261620163"),
        Arguments.of(DhcpOption.RAPID_COMMIT, true, ""),
        Arguments.of(
            DhcpOption.CLIENT_FQDN, ClientFqdn.of(ClientFqdn.FLAG_E, "a."), "04000001" + "6100"),
        Arguments.of(
            DhcpOption.RELAY_AGENT_INFORMATION,
            RelayAgentInfo.builder().circuitId(new byte[] {9}).build(),
            "010109"),
        Arguments.of(DhcpOption.CLIENT_LAST_TRANSACTION_TIME, 13L, "0000000d"),
        Arguments.of(DhcpOption.ASSOCIATED_IP, AB, AB_HEX),
        Arguments.of(DhcpOption.SUBNET_SELECTION, A, "c0000201"),
        Arguments.of(
            DhcpOption.CLASSLESS_STATIC_ROUTES,
            List.of(ClasslessRoute.of("10.0.0.0/8", "192.0.2.1")),
            "080ac0000201"),
        Arguments.of(DhcpOption.TFTP_SERVER_ADDRESS, List.of(B), "c6336402"));
  }

  @Test
  void everyKnownOptionHasASampleAndEveryRfc2132OptionIsKnown() {
    Set<Integer> sampled =
        samples()
            .map(a -> ((DhcpOption<?>) a.get()[0]).code())
            .collect(Collectors.toCollection(TreeSet::new));
    sampled.add(52); // read-only, tested with the overload rules
    assertEquals(
        DhcpOption.known().stream().map(DhcpOption::code).collect(Collectors.toSet()), sampled);
    for (int code = 1; code <= 76; code++) {
      if (code != 62 && code != 63) { // 62 and 63 are not in RFC 2132
        assertTrue(DhcpOption.forCode(code).isPresent(), "RFC 2132 option " + code);
      }
    }
    assertTrue(DhcpOption.forCode(0).isEmpty());
    assertTrue(DhcpOption.forCode(255).isEmpty());
    assertTrue(DhcpOption.forCode(300).isEmpty());
    assertEquals("Subnet Mask (1)", DhcpOption.SUBNET_MASK.toString());
    assertEquals("Subnet Mask", DhcpOption.SUBNET_MASK.name());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  <T> void writesTheRfcWireFormAndReadsItBack(DhcpOption<T> option, T value, String hex)
      throws Exception {
    DhcpMessage m = DhcpMessage.builder().set(option, value).build();
    assertEquals(hex, HexFormat.of().formatHex(m.option(option.code()).orElseThrow()));
    DhcpMessage back = DhcpCodec.decode(m.encode());
    Object read = back.get(option).orElseThrow();
    if (value instanceof byte[] bytes) {
      assertArrayEquals(bytes, (byte[]) read);
    } else {
      assertEquals(value, read);
    }
    assertEquals(List.of(option.code()), back.optionCodes());
  }

  private static DhcpMessage withOption(int code, String hex) throws Exception {
    byte[] value = HexFormat.of().parseHex(hex);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(code);
    out.write(value.length);
    out.writeBytes(value);
    out.write(255);
    byte[] opts = out.toByteArray();
    int[] ints = new int[opts.length];
    for (int i = 0; i < opts.length; i++) {
      ints[i] = opts[i] & 0xff;
    }
    return DhcpCodec.decode(Wire.dhcp(ints));
  }

  /** Contents each option's RFC forbids: the decoder keeps them, the typed accessor refuses. */
  @ParameterizedTest(name = "option {0} = [{1}]")
  @CsvSource({
    "1, ffffff, 'length 3 is not 4'",
    "1, ffffff0000, 'length 5 is not 4'",
    "2, 0000, 'length 2 is not 4'",
    "3, '', 'length 0 is not a multiple of 4 of at least 4'",
    "3, c0000201c0, 'length 5 is not a multiple of 4'",
    "12, '', 'length 0 is less than 1'",
    "13, 01, 'length 1 is not 2'",
    "19, 02, 'boolean value 2 is neither 0 nor 1'",
    "19, 0100, 'length 2 is not 1'",
    "21, c0000201, 'not a multiple of 8'",
    "22, 023f, 'value 575 is below the minimum 576'",
    "23, 00, 'value 0 is outside 1-255'",
    "25, 0044003f, 'value 63 is below the minimum 68'",
    "25, 004400, 'not a multiple of 2'",
    "26, 0043, 'value 67 is below the minimum 68'",
    "33, c0000201c000020100, 'not a multiple of 8'",
    "37, 00, 'value 0 is outside 1-255'",
    "43, '', 'length 0 is less than 1'",
    "46, 03, 'node type 3 is not 1, 2, 4 or 8'",
    "46, 10, 'node type 16 is not 1, 2, 4 or 8'",
    "51, 000e10, 'length 3 is not 4'",
    "52, 04, 'value 4 is outside 1-3'",
    "53, 00, 'unknown message type 0'",
    "53, 13, 'unknown message type 19'",
    "53, 0101, 'length 2 is not 1'",
    "55, '', 'length 0 is less than 1'",
    "57, 0200, 'value 512 is below the minimum 576'",
    "61, 01, 'length 1 is less than 2'",
    "68, c00002, 'length 3 is not a multiple of 4'",
    "77, 00, 'length 1 is less than 2'",
    "77, 0561, 'runs past the option'",
    "77, 0061, 'empty user class instance'",
    "80, 00, 'length 1 is not 0'",
    "81, 0400, 'length 2 is less than 3'",
    "82, 0105, 'sub-option 1 declares 5 bytes'",
    "121, 21000000000000, 'prefix length 33 exceeds 32'",
  })
  void refusesContentsTheRfcForbids(int code, String hex, String reason) throws Exception {
    DhcpMessage m = withOption(code, hex);
    DhcpOption<?> option = DhcpOption.forCode(code).orElseThrow();
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, () -> m.get(option));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().startsWith("option " + code + " ("), e.getMessage());
    assertTrue(e.offset() >= 240 && e.offset() < m.length(), "offset " + e.offset());
    assertArrayEquals(HexFormat.of().parseHex(hex), m.option(code).orElseThrow());
  }

  @Test
  void buildingRefusesValuesTheRfcForbids() {
    DhcpMessage.Builder b = DhcpMessage.builder();
    Map<String, Runnable> cases =
        Map.ofEntries(
            Map.entry("no routers", () -> b.routers(List.of())),
            Map.entry("empty host name", () -> b.hostName("")),
            Map.entry("host name above U+00FF", () -> b.hostName("\u4e2d")),
            Map.entry("lease time < 0", () -> b.leaseTime(-1)),
            Map.entry("lease time > 32 bits", () -> b.leaseTime(1L << 32)),
            Map.entry("MTU 67", () -> b.set(DhcpOption.INTERFACE_MTU, 67)),
            Map.entry("MTU 65536", () -> b.set(DhcpOption.INTERFACE_MTU, 65536)),
            Map.entry("TTL 0", () -> b.set(DhcpOption.DEFAULT_IP_TTL, 0)),
            Map.entry("node type 3", () -> b.set(DhcpOption.NETBIOS_NODE_TYPE, 3)),
            Map.entry("no pairs", () -> b.set(DhcpOption.STATIC_ROUTES, List.of())),
            Map.entry("plateau 67", () -> b.set(DhcpOption.PATH_MTU_PLATEAU_TABLE, List.of(67))),
            Map.entry("no plateaus", () -> b.set(DhcpOption.PATH_MTU_PLATEAU_TABLE, List.of())),
            Map.entry("code 256 requested", () -> b.parameterRequestList(List.of(256))),
            Map.entry("no codes", () -> b.parameterRequestList(List.of())),
            Map.entry("no user classes", () -> b.set(DhcpOption.USER_CLASS, List.of())),
            Map.entry("empty user class", () -> b.set(DhcpOption.USER_CLASS, List.of(""))),
            Map.entry("rapid commit false", () -> b.set(DhcpOption.RAPID_COMMIT, false)),
            Map.entry(
                "empty vendor info",
                () -> b.set(DhcpOption.VENDOR_SPECIFIC_INFORMATION, new byte[0])),
            Map.entry("client id of 1 byte", () -> ClientId.fromBytes(new byte[] {1})),
            Map.entry("client id type 256", () -> ClientId.of(256, new byte[] {1})),
            Map.entry("empty client id", () -> ClientId.of(0, new byte[0])));
    cases.forEach((name, c) -> assertThrows(IllegalArgumentException.class, c::run, name));
  }

  @Test
  void clientIdentifiersCompareByBytes() throws Exception {
    ClientId mac = ClientId.ofMac(MacAddress.parse("00:0c:29:1f:74:06"));
    assertEquals(ClientId.TYPE_ETHERNET, mac.type());
    assertEquals("01:00:0c:29:1f:74:06", mac.toString());
    assertEquals(mac, ClientId.fromBytes(mac.toBytes()));
    assertEquals(mac.hashCode(), ClientId.fromBytes(mac.toBytes()).hashCode());
    ClientId text = ClientId.of(ClientId.TYPE_OTHER, "host-7".getBytes(US_ASCII));
    assertTrue(text.macAddress().isEmpty());
    assertArrayEquals("host-7".getBytes(US_ASCII), text.identifier());
    ClientId duid = ClientId.of(ClientId.TYPE_IAID_DUID, new byte[] {0, 0, 0, 1, 0, 3, 0, 1});
    assertEquals(255, duid.type());
  }

  @Test
  void messageTypesHaveTheirRegisteredCodes() {
    assertEquals(1, DhcpMessageType.DISCOVER.code());
    assertEquals(8, DhcpMessageType.INFORM.code());
    assertEquals(13, DhcpMessageType.LEASEACTIVE.code());
    assertEquals(18, DhcpMessageType.TLS.code());
    for (DhcpMessageType t : DhcpMessageType.values()) {
      assertEquals(t, DhcpMessageType.ofCode(t.code()).orElseThrow());
    }
    assertTrue(DhcpMessageType.ofCode(0).isEmpty());
    assertTrue(DhcpMessageType.ofCode(19).isEmpty());
    assertTrue(DhcpMessageType.ofCode(-1).isEmpty());
  }
}
