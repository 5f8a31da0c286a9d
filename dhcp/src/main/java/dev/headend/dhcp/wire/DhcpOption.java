package dev.headend.dhcp.wire;

import dev.headend.core.net.Ipv4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An option code together with the Java type of its value: the key of {@link
 * DhcpMessage#get(DhcpOption)} and {@link DhcpMessage.Builder#set(DhcpOption, Object)}.
 *
 * <p>Every option of RFC 2132 is here, with the value shape and limits its section gives
 * (addresses, lists of at least one address, 16- and 32-bit numbers with their minimums, booleans
 * of 0 or 1, text of at least one byte), and the options of later RFCs this module knows: user
 * class (77), rapid commit (80), client FQDN (81), relay agent information (82), leasequery (91,
 * 92), subnet selection (118), classless static routes (121) and TFTP server address (150). Text is
 * read and written one byte per character (ISO 8859-1), so no byte is lost; 32-bit unsigned numbers
 * are {@code Long}s.
 *
 * <pre>{@code
 * Optional<List<Ipv4Address>> dns = message.get(DhcpOption.DOMAIN_NAME_SERVERS);
 * builder.set(DhcpOption.INTERFACE_MTU, 1500);
 * }</pre>
 *
 * <p>Options not listed are still decoded, kept and re-encoded byte for byte; read them with {@link
 * DhcpMessage#option(int)}.
 *
 * @param <T> the type of the option's value
 */
public final class DhcpOption<T> {
  private static final List<DhcpOption<?>> KNOWN = new ArrayList<>();
  private static final DhcpOption<?>[] BY_CODE = new DhcpOption<?>[256];

  /** 1: The client's subnet mask (RFC 2132 §3.3). */
  public static final DhcpOption<Ipv4Address> SUBNET_MASK =
      define(1, "Subnet Mask", Codecs.ADDRESS);

  /** 2: Offset of the client's subnet from UTC in seconds, signed (RFC 2132 §3.4). */
  public static final DhcpOption<Integer> TIME_OFFSET = define(2, "Time Offset", Codecs.S32);

  /** 3: Routers on the client's subnet, in order of preference (RFC 2132 §3.5). */
  public static final DhcpOption<List<Ipv4Address>> ROUTERS =
      define(3, "Router", Codecs.addresses(1));

  /** 4: RFC 868 time servers (RFC 2132 §3.6). */
  public static final DhcpOption<List<Ipv4Address>> TIME_SERVERS =
      define(4, "Time Server", Codecs.addresses(1));

  /** 5: IEN 116 name servers (RFC 2132 §3.7). */
  public static final DhcpOption<List<Ipv4Address>> NAME_SERVERS =
      define(5, "Name Server", Codecs.addresses(1));

  /** 6: DNS servers (RFC 2132 §3.8). */
  public static final DhcpOption<List<Ipv4Address>> DOMAIN_NAME_SERVERS =
      define(6, "Domain Name Server", Codecs.addresses(1));

  /** 7: MIT-LCS UDP log servers (RFC 2132 §3.9). */
  public static final DhcpOption<List<Ipv4Address>> LOG_SERVERS =
      define(7, "Log Server", Codecs.addresses(1));

  /** 8: RFC 865 cookie servers (RFC 2132 §3.10). */
  public static final DhcpOption<List<Ipv4Address>> COOKIE_SERVERS =
      define(8, "Cookie Server", Codecs.addresses(1));

  /** 9: RFC 1179 line printer servers (RFC 2132 §3.11). */
  public static final DhcpOption<List<Ipv4Address>> LPR_SERVERS =
      define(9, "LPR Server", Codecs.addresses(1));

  /** 10: Imagen Impress servers (RFC 2132 §3.12). */
  public static final DhcpOption<List<Ipv4Address>> IMPRESS_SERVERS =
      define(10, "Impress Server", Codecs.addresses(1));

  /** 11: RFC 887 resource location servers (RFC 2132 §3.13). */
  public static final DhcpOption<List<Ipv4Address>> RESOURCE_LOCATION_SERVERS =
      define(11, "Resource Location Server", Codecs.addresses(1));

  /** 12: The client's name, possibly without the domain (RFC 2132 §3.14). */
  public static final DhcpOption<String> HOST_NAME = define(12, "Host Name", Codecs.string(1));

  /** 13: Length of the boot image in 512-byte blocks (RFC 2132 §3.15). */
  public static final DhcpOption<Integer> BOOT_FILE_SIZE =
      define(13, "Boot File Size", Codecs.u16(0));

  /** 14: Path for a core dump (RFC 2132 §3.16). */
  public static final DhcpOption<String> MERIT_DUMP_FILE =
      define(14, "Merit Dump File", Codecs.string(1));

  /** 15: The domain for resolving host names (RFC 2132 §3.17). */
  public static final DhcpOption<String> DOMAIN_NAME = define(15, "Domain Name", Codecs.string(1));

  /** 16: The client's swap server (RFC 2132 §3.18). */
  public static final DhcpOption<Ipv4Address> SWAP_SERVER =
      define(16, "Swap Server", Codecs.ADDRESS);

  /** 17: Path of the client's root disk (RFC 2132 §3.19). */
  public static final DhcpOption<String> ROOT_PATH = define(17, "Root Path", Codecs.string(1));

  /** 18: A TFTP file holding more options (RFC 2132 §3.20). */
  public static final DhcpOption<String> EXTENSIONS_PATH =
      define(18, "Extensions Path", Codecs.string(1));

  /** 19: Whether the client forwards IP packets (RFC 2132 §4.1). */
  public static final DhcpOption<Boolean> IP_FORWARDING =
      define(19, "IP Forwarding Enable/Disable", Codecs.BOOLEAN);

  /** 20: Whether to forward datagrams with non-local source routes (RFC 2132 §4.2). */
  public static final DhcpOption<Boolean> NON_LOCAL_SOURCE_ROUTING =
      define(20, "Non-Local Source Routing Enable/Disable", Codecs.BOOLEAN);

  /** 21: Address/mask filters for non-local source routes (RFC 2132 §4.3). */
  public static final DhcpOption<List<AddressPair>> POLICY_FILTER =
      define(21, "Policy Filter", Codecs.ADDRESS_PAIRS);

  /** 22: Largest datagram to reassemble, at least 576 (RFC 2132 §4.4). */
  public static final DhcpOption<Integer> MAX_DATAGRAM_REASSEMBLY_SIZE =
      define(22, "Maximum Datagram Reassembly Size", Codecs.u16(576));

  /** 23: Default TTL for outgoing datagrams, 1-255 (RFC 2132 §4.5). */
  public static final DhcpOption<Integer> DEFAULT_IP_TTL =
      define(23, "Default IP Time-to-live", Codecs.u8(1, 255));

  /** 24: Seconds before aging path MTUs (RFC 2132 §4.6). */
  public static final DhcpOption<Long> PATH_MTU_AGING_TIMEOUT =
      define(24, "Path MTU Aging Timeout", Codecs.U32);

  /** 25: MTU sizes for path MTU discovery, each at least 68 (RFC 2132 §4.7). */
  public static final DhcpOption<List<Integer>> PATH_MTU_PLATEAU_TABLE =
      define(25, "Path MTU Plateau Table", Codecs.u16List(68));

  /** 26: MTU of the interface, at least 68 (RFC 2132 §5.1). */
  public static final DhcpOption<Integer> INTERFACE_MTU =
      define(26, "Interface MTU", Codecs.u16(68));

  /** 27: Whether all subnets share this MTU (RFC 2132 §5.2). */
  public static final DhcpOption<Boolean> ALL_SUBNETS_LOCAL =
      define(27, "All Subnets are Local", Codecs.BOOLEAN);

  /** 28: The subnet's broadcast address (RFC 2132 §5.3). */
  public static final DhcpOption<Ipv4Address> BROADCAST_ADDRESS =
      define(28, "Broadcast Address", Codecs.ADDRESS);

  /** 29: Whether to use ICMP mask discovery (RFC 2132 §5.4). */
  public static final DhcpOption<Boolean> PERFORM_MASK_DISCOVERY =
      define(29, "Perform Mask Discovery", Codecs.BOOLEAN);

  /** 30: Whether to answer ICMP mask requests (RFC 2132 §5.5). */
  public static final DhcpOption<Boolean> MASK_SUPPLIER =
      define(30, "Mask Supplier", Codecs.BOOLEAN);

  /** 31: Whether to solicit routers (RFC 2132 §5.6). */
  public static final DhcpOption<Boolean> PERFORM_ROUTER_DISCOVERY =
      define(31, "Perform Router Discovery", Codecs.BOOLEAN);

  /** 32: Where to send router solicitations (RFC 2132 §5.7). */
  public static final DhcpOption<Ipv4Address> ROUTER_SOLICITATION_ADDRESS =
      define(32, "Router Solicitation Address", Codecs.ADDRESS);

  /** 33: Classful static routes as destination/router pairs (RFC 2132 §5.8). */
  public static final DhcpOption<List<AddressPair>> STATIC_ROUTES =
      define(33, "Static Route", Codecs.ADDRESS_PAIRS);

  /** 34: Whether to negotiate ARP trailers (RFC 2132 §6.1). */
  public static final DhcpOption<Boolean> TRAILER_ENCAPSULATION =
      define(34, "Trailer Encapsulation", Codecs.BOOLEAN);

  /** 35: ARP cache timeout in seconds (RFC 2132 §6.2). */
  public static final DhcpOption<Long> ARP_CACHE_TIMEOUT =
      define(35, "ARP Cache Timeout", Codecs.U32);

  /** 36: false for Ethernet II, true for IEEE 802.3 (RFC 2132 §6.3). */
  public static final DhcpOption<Boolean> ETHERNET_ENCAPSULATION =
      define(36, "Ethernet Encapsulation", Codecs.BOOLEAN);

  /** 37: TTL of TCP segments, 1-255 (RFC 2132 §7.1). */
  public static final DhcpOption<Integer> TCP_DEFAULT_TTL =
      define(37, "TCP Default TTL", Codecs.u8(1, 255));

  /** 38: Seconds between TCP keepalives, 0 for none (RFC 2132 §7.2). */
  public static final DhcpOption<Long> TCP_KEEPALIVE_INTERVAL =
      define(38, "TCP Keepalive Interval", Codecs.U32);

  /** 39: Whether keepalives carry a garbage octet (RFC 2132 §7.3). */
  public static final DhcpOption<Boolean> TCP_KEEPALIVE_GARBAGE =
      define(39, "TCP Keepalive Garbage", Codecs.BOOLEAN);

  /** 40: The NIS domain (RFC 2132 §8.1). */
  public static final DhcpOption<String> NIS_DOMAIN =
      define(40, "Network Information Service Domain", Codecs.string(1));

  /** 41: NIS servers (RFC 2132 §8.2). */
  public static final DhcpOption<List<Ipv4Address>> NIS_SERVERS =
      define(41, "Network Information Servers", Codecs.addresses(1));

  /** 42: NTP servers (RFC 2132 §8.3). */
  public static final DhcpOption<List<Ipv4Address>> NTP_SERVERS =
      define(42, "Network Time Protocol Servers", Codecs.addresses(1));

  /** 43: Vendor data, meaning set by the vendor class (RFC 2132 §8.4). */
  public static final DhcpOption<byte[]> VENDOR_SPECIFIC_INFORMATION =
      define(43, "Vendor Specific Information", Codecs.bytes(1));

  /** 44: NBNS servers (RFC 2132 §8.5). */
  public static final DhcpOption<List<Ipv4Address>> NETBIOS_NAME_SERVERS =
      define(44, "NetBIOS over TCP/IP Name Server", Codecs.addresses(1));

  /** 45: NBDD servers (RFC 2132 §8.6). */
  public static final DhcpOption<List<Ipv4Address>> NETBIOS_DATAGRAM_DISTRIBUTION_SERVERS =
      define(45, "NetBIOS over TCP/IP Datagram Distribution Server", Codecs.addresses(1));

  /** 46: 1 B-node, 2 P-node, 4 M-node, 8 H-node (RFC 2132 §8.7). */
  public static final DhcpOption<Integer> NETBIOS_NODE_TYPE =
      define(46, "NetBIOS over TCP/IP Node Type", Codecs.NODE_TYPE);

  /** 47: The NetBIOS scope (RFC 2132 §8.8). */
  public static final DhcpOption<String> NETBIOS_SCOPE =
      define(47, "NetBIOS over TCP/IP Scope", Codecs.string(1));

  /** 48: X font servers (RFC 2132 §8.9). */
  public static final DhcpOption<List<Ipv4Address>> X_WINDOW_FONT_SERVERS =
      define(48, "X Window System Font Server", Codecs.addresses(1));

  /** 49: X display managers (RFC 2132 §8.10). */
  public static final DhcpOption<List<Ipv4Address>> X_WINDOW_DISPLAY_MANAGERS =
      define(49, "X Window System Display Manager", Codecs.addresses(1));

  /** 50: The address a client asks for (RFC 2132 §9.1). */
  public static final DhcpOption<Ipv4Address> REQUESTED_IP_ADDRESS =
      define(50, "Requested IP Address", Codecs.ADDRESS);

  /** 51: Lease time in seconds; 0xffffffff is infinite (RFC 2132 §9.2). */
  public static final DhcpOption<Long> IP_ADDRESS_LEASE_TIME =
      define(51, "IP Address Lease Time", Codecs.U32);

  /**
   * 52: Whether file (1), sname (2) or both (3) hold options (RFC 2132 §9.3). Read-only: builders
   * set it themselves.
   */
  public static final DhcpOption<Integer> OPTION_OVERLOAD =
      define(52, "Option Overload", Codecs.u8(1, 3));

  /** 53: The DHCP message type (RFC 2132 §9.6). */
  public static final DhcpOption<DhcpMessageType> DHCP_MESSAGE_TYPE =
      define(53, "DHCP Message Type", Codecs.MESSAGE_TYPE);

  /** 54: The server's identifying address (RFC 2132 §9.7). */
  public static final DhcpOption<Ipv4Address> SERVER_IDENTIFIER =
      define(54, "Server Identifier", Codecs.ADDRESS);

  /** 55: Option codes the client asks for, in its order of preference (RFC 2132 §9.8). */
  public static final DhcpOption<List<Integer>> PARAMETER_REQUEST_LIST =
      define(55, "Parameter Request List", Codecs.CODES);

  /** 56: An error message, in a NAK or DECLINE (RFC 2132 §9.9). */
  public static final DhcpOption<String> MESSAGE = define(56, "Message", Codecs.string(1));

  /** 57: Largest message the client accepts, at least 576 (RFC 2132 §9.10). */
  public static final DhcpOption<Integer> MAX_DHCP_MESSAGE_SIZE =
      define(57, "Maximum DHCP Message Size", Codecs.u16(576));

  /** 58: Seconds until the client renews (RFC 2132 §9.11). */
  public static final DhcpOption<Long> RENEWAL_TIME =
      define(58, "Renewal (T1) Time Value", Codecs.U32);

  /** 59: Seconds until the client rebinds (RFC 2132 §9.12). */
  public static final DhcpOption<Long> REBINDING_TIME =
      define(59, "Rebinding (T2) Time Value", Codecs.U32);

  /** 60: The client's vendor and configuration, such as {@code PXEClient} (RFC 2132 §9.13). */
  public static final DhcpOption<String> VENDOR_CLASS_IDENTIFIER =
      define(60, "Vendor class identifier", Codecs.string(1));

  /** 61: The client's unique identifier (RFC 2132 §9.14). */
  public static final DhcpOption<ClientId> CLIENT_IDENTIFIER =
      define(61, "Client-identifier", Codecs.CLIENT_ID);

  /** 64: The NIS+ domain (RFC 2132 §8.11). */
  public static final DhcpOption<String> NISPLUS_DOMAIN =
      define(64, "Network Information Service+ Domain", Codecs.string(1));

  /** 65: NIS+ servers (RFC 2132 §8.12). */
  public static final DhcpOption<List<Ipv4Address>> NISPLUS_SERVERS =
      define(65, "Network Information Service+ Servers", Codecs.addresses(1));

  /** 66: The TFTP server, when sname holds options (RFC 2132 §9.4). */
  public static final DhcpOption<String> TFTP_SERVER_NAME =
      define(66, "TFTP server name", Codecs.string(1));

  /** 67: The boot file, when file holds options (RFC 2132 §9.5). */
  public static final DhcpOption<String> BOOTFILE_NAME =
      define(67, "Bootfile name", Codecs.string(1));

  /** 68: Mobile IP home agents; may be empty (RFC 2132 §8.13). */
  public static final DhcpOption<List<Ipv4Address>> MOBILE_IP_HOME_AGENTS =
      define(68, "Mobile IP Home Agent", Codecs.addresses(0));

  /** 69: SMTP servers (RFC 2132 §8.14). */
  public static final DhcpOption<List<Ipv4Address>> SMTP_SERVERS =
      define(69, "Simple Mail Transport Protocol (SMTP) Server", Codecs.addresses(1));

  /** 70: POP3 servers (RFC 2132 §8.15). */
  public static final DhcpOption<List<Ipv4Address>> POP3_SERVERS =
      define(70, "Post Office Protocol (POP3) Server", Codecs.addresses(1));

  /** 71: NNTP servers (RFC 2132 §8.16). */
  public static final DhcpOption<List<Ipv4Address>> NNTP_SERVERS =
      define(71, "Network News Transport Protocol (NNTP) Server", Codecs.addresses(1));

  /** 72: WWW servers (RFC 2132 §8.17). */
  public static final DhcpOption<List<Ipv4Address>> WWW_SERVERS =
      define(72, "Default World Wide Web (WWW) Server", Codecs.addresses(1));

  /** 73: Finger servers (RFC 2132 §8.18). */
  public static final DhcpOption<List<Ipv4Address>> FINGER_SERVERS =
      define(73, "Default Finger Server", Codecs.addresses(1));

  /** 74: IRC servers (RFC 2132 §8.19). */
  public static final DhcpOption<List<Ipv4Address>> IRC_SERVERS =
      define(74, "Default Internet Relay Chat (IRC) Server", Codecs.addresses(1));

  /** 75: StreetTalk servers (RFC 2132 §8.20). */
  public static final DhcpOption<List<Ipv4Address>> STREETTALK_SERVERS =
      define(75, "StreetTalk Server", Codecs.addresses(1));

  /** 76: STDA servers (RFC 2132 §8.21). */
  public static final DhcpOption<List<Ipv4Address>> STDA_SERVERS =
      define(76, "StreetTalk Directory Assistance (STDA) Server", Codecs.addresses(1));

  /** 77: The user classes the client belongs to, each length-prefixed (RFC 3004). */
  public static final DhcpOption<List<String>> USER_CLASS =
      define(77, "User Class", Codecs.LENGTH_PREFIXED_STRINGS);

  /** 80: Two-message exchange requested or used; present with no value (RFC 4039). */
  public static final DhcpOption<Boolean> RAPID_COMMIT =
      define(80, "Rapid Commit", Codecs.PRESENCE);

  /** 81: The client's FQDN and who updates DNS (RFC 4702). */
  public static final DhcpOption<ClientFqdn> CLIENT_FQDN =
      define(81, "Client FQDN", Codecs.CLIENT_FQDN);

  /** 82: Sub-options added by a relay agent (RFC 3046). */
  public static final DhcpOption<RelayAgentInfo> RELAY_AGENT_INFORMATION =
      define(82, "Relay Agent Information", Codecs.RELAY_AGENT_INFO);

  /** 91: Seconds since the client last talked to the server (RFC 4388 §6.1). */
  public static final DhcpOption<Long> CLIENT_LAST_TRANSACTION_TIME =
      define(91, "Client Last Transaction Time", Codecs.U32);

  /** 92: Other addresses leased to the same client (RFC 4388 §6.1). */
  public static final DhcpOption<List<Ipv4Address>> ASSOCIATED_IP =
      define(92, "Associated IP", Codecs.addresses(1));

  /** 118: The subnet to allocate from (RFC 3011). */
  public static final DhcpOption<Ipv4Address> SUBNET_SELECTION =
      define(118, "Subnet Selection", Codecs.ADDRESS);

  /** 121: Classless static routes; replace option 3 and 33 when present (RFC 3442). */
  public static final DhcpOption<List<ClasslessRoute>> CLASSLESS_STATIC_ROUTES =
      define(121, "Classless Static Route", Codecs.CLASSLESS_ROUTES);

  /** 150: TFTP servers by address (RFC 5859). */
  public static final DhcpOption<List<Ipv4Address>> TFTP_SERVER_ADDRESS =
      define(150, "TFTP Server Address", Codecs.addresses(1));

  private final int code;
  private final String name;
  private final ValueCodec<T> codec;

  private DhcpOption(int code, String name, ValueCodec<T> codec) {
    this.code = code;
    this.name = name;
    this.codec = codec;
  }

  private static <T> DhcpOption<T> define(int code, String name, ValueCodec<T> codec) {
    DhcpOption<T> option = new DhcpOption<>(code, name, codec);
    KNOWN.add(option);
    BY_CODE[code] = option;
    return option;
  }

  /** Every option defined here, by code. */
  public static List<DhcpOption<?>> known() {
    return Collections.unmodifiableList(KNOWN);
  }

  /** The option with {@code code}, if it is defined here. */
  public static Optional<DhcpOption<?>> forCode(int code) {
    return code >= 0 && code < BY_CODE.length
        ? Optional.ofNullable(BY_CODE[code])
        : Optional.empty();
  }

  /** The option code, 1-254. */
  public int code() {
    return code;
  }

  /** The option's name as its RFC gives it. */
  public String name() {
    return name;
  }

  T decode(OptionValue value) throws MalformedDhcpMessageException {
    return codec.decode(value);
  }

  /**
   * The value bytes of {@code value}.
   *
   * @throws IllegalArgumentException if the value breaks the option's rules
   */
  byte[] encode(T value) {
    try {
      return codec.encode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(this + ": " + e.getMessage(), e);
    }
  }

  String label() {
    return "option " + code + " (" + name + ")";
  }

  /** The name and code, {@code Subnet Mask (1)}. */
  @Override
  public String toString() {
    return name + " (" + code + ")";
  }
}
