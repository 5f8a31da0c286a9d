package dev.headend.dhcp.wire;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable BOOTP/DHCPv4 message (RFC 2131 §2): the fixed header fields, and the options.
 *
 * <p>A message is its wire form: {@link DhcpCodec#decode} keeps every byte, so {@link #encode()}
 * gives the decoded bytes back unchanged, and {@link #builder()} lays out new messages. Equal
 * messages have equal bytes.
 *
 * <p>Options are read as RFC 3396 says: all instances of a code are concatenated, options field
 * first, then {@code file}, then {@code sname} when option 52 overloads them. {@link #option(int)}
 * gives any option's raw value; {@link #get(DhcpOption)} and the shortcuts ({@link #messageType()},
 * {@link #leaseTime()}, ...) decode typed values and raise {@link MalformedDhcpMessageException},
 * with the offset of the option, when the contents break the option's RFC.
 *
 * <pre>{@code
 * DhcpMessage discover = DhcpCodec.decode(datagram);
 * if (discover.messageType().orElse(null) == DhcpMessageType.DISCOVER) {
 *   DhcpMessage offer = DhcpMessage.replyTo(discover)
 *       .messageType(DhcpMessageType.OFFER)
 *       .yiaddr(Ipv4Address.parse("192.0.2.10"))
 *       .serverIdentifier(Ipv4Address.parse("192.0.2.1"))
 *       .leaseTime(3600)
 *       .build();
 * }
 * }</pre>
 */
public final class DhcpMessage {
  /** {@code op} of a message from a client: BOOTREQUEST. */
  public static final int BOOTREQUEST = 1;

  /** {@code op} of a message from a server: BOOTREPLY. */
  public static final int BOOTREPLY = 2;

  /** The broadcast bit of {@code flags} (RFC 2131 §2, figure 2). */
  public static final int FLAG_BROADCAST = 0x8000;

  private final byte[] wire;
  private final int[] offsets; // code byte of each option instance, in RFC 3396 order
  private final boolean cookie;
  private final int overload; // the overload in force: bit 0 file, bit 1 sname

  DhcpMessage(byte[] wire, int[] offsets, boolean cookie, int overload) {
    this.wire = wire;
    this.offsets = offsets;
    this.cookie = cookie;
    this.overload = overload;
  }

  /** A builder for a new message: a BOOTREQUEST from an Ethernet client, no options yet. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder for a server's reply to {@code request}: BOOTREPLY with the request's {@code htype},
   * {@code hlen}, {@code chaddr}, {@code xid}, {@code flags} and {@code giaddr} (RFC 2131 §4.3.1,
   * table 3), its relay agent information echoed (RFC 3046 §2.2) and its client identifier echoed
   * (RFC 6842). The message type and everything else are the caller's to set.
   */
  public static Builder replyTo(DhcpMessage request) {
    Builder b = new Builder();
    b.op = BOOTREPLY;
    b.htype = request.htype();
    b.hlen = request.hlen();
    System.arraycopy(request.wire, 28, b.chaddr, 0, 16);
    b.xid = request.xid();
    b.flags = request.flags();
    b.giaddr = request.giaddr();
    request.option(DhcpOption.CLIENT_IDENTIFIER.code()).ifPresent(v -> b.options.put(61, v));
    request.option(DhcpOption.RELAY_AGENT_INFORMATION.code()).ifPresent(v -> b.options.put(82, v));
    return b;
  }

  /**
   * A builder holding this message's fields and options (each option's instances joined into one
   * value, option 52 left out), to build a changed copy. The copy is laid out anew: pads, splits
   * and overloading are those of {@link Builder#build()}, not this message's.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.op = op();
    b.htype = htype();
    b.hlen = hlen();
    b.hops = hops();
    b.xid = xid();
    b.secs = secs();
    b.flags = flags();
    b.ciaddr = ciaddr();
    b.yiaddr = yiaddr();
    b.siaddr = siaddr();
    b.giaddr = giaddr();
    System.arraycopy(wire, 28, b.chaddr, 0, 16);
    if ((overload & 2) == 0) {
      System.arraycopy(wire, DhcpCodec.OFF_SNAME, b.sname, 0, DhcpCodec.SNAME_LENGTH);
    }
    if ((overload & 1) == 0) {
      System.arraycopy(wire, DhcpCodec.OFF_FILE, b.file, 0, DhcpCodec.FILE_LENGTH);
    }
    if (!cookie) {
      b.vendorArea = Arrays.copyOfRange(wire, DhcpCodec.HEADER_LENGTH, wire.length);
    } else {
      for (int code : optionCodes()) {
        if (code != DhcpCodec.OPTION_OVERLOAD) {
          b.options.put(code, option(code).orElseThrow());
        }
      }
    }
    return b;
  }

  // ---- fixed header

  /** Message op code: {@link #BOOTREQUEST} or {@link #BOOTREPLY} (other values are kept). */
  public int op() {
    return u8(0);
  }

  /** Hardware address type (ARP hardware type; 1 is Ethernet). */
  public int htype() {
    return u8(1);
  }

  /** Hardware address length (6 for Ethernet). */
  public int hlen() {
    return u8(2);
  }

  /** Relay hops. */
  public int hops() {
    return u8(3);
  }

  /** Transaction ID. */
  public int xid() {
    return DhcpCodec.readInt(wire, 4);
  }

  /** Seconds since the client began acquisition or renewal. */
  public int secs() {
    return u8(8) << 8 | u8(9);
  }

  /** The flags field; bit 15 is {@link #FLAG_BROADCAST}. */
  public int flags() {
    return u8(10) << 8 | u8(11);
  }

  /** Whether the client asked for broadcast replies. */
  public boolean broadcast() {
    return (flags() & FLAG_BROADCAST) != 0;
  }

  /** Client IP address, when the client already has one. */
  public Ipv4Address ciaddr() {
    return new Ipv4Address(DhcpCodec.readInt(wire, 12));
  }

  /** "Your" address: the address the server offers or assigns. */
  public Ipv4Address yiaddr() {
    return new Ipv4Address(DhcpCodec.readInt(wire, 16));
  }

  /** Next server to use in bootstrap. */
  public Ipv4Address siaddr() {
    return new Ipv4Address(DhcpCodec.readInt(wire, 20));
  }

  /** Relay agent address. */
  public Ipv4Address giaddr() {
    return new Ipv4Address(DhcpCodec.readInt(wire, 24));
  }

  /** The client hardware address: the first {@code hlen} bytes of chaddr (at most 16). */
  public byte[] chaddr() {
    return Arrays.copyOfRange(wire, 28, 28 + Math.min(hlen(), 16));
  }

  /** The client's MAC address, when {@code htype} is Ethernet and {@code hlen} is 6. */
  public Optional<MacAddress> clientMac() {
    return htype() == 1 && hlen() == 6
        ? Optional.of(MacAddress.ofBytes(chaddr()))
        : Optional.empty();
  }

  /**
   * The server host name field up to its first NUL, one character per byte; empty when option 52
   * overloads it with options.
   */
  public String sname() {
    return (overload & 2) != 0 ? "" : text(DhcpCodec.OFF_SNAME, DhcpCodec.SNAME_LENGTH);
  }

  /**
   * The boot file name field up to its first NUL, one character per byte; empty when option 52
   * overloads it with options.
   */
  public String file() {
    return (overload & 1) != 0 ? "" : text(DhcpCodec.OFF_FILE, DhcpCodec.FILE_LENGTH);
  }

  /**
   * Whether the vendor area starts with the DHCP magic cookie. Without it the message is plain
   * BOOTP: it has no options, and {@link #vendorArea()} holds whatever was sent.
   */
  public boolean hasMagicCookie() {
    return cookie;
  }

  /** Everything after the file field (cookie and options included), in a fresh array. */
  public byte[] vendorArea() {
    return Arrays.copyOfRange(wire, DhcpCodec.HEADER_LENGTH, wire.length);
  }

  // ---- options

  /** The codes of the options present, in order of first appearance (pads and END excluded). */
  public List<Integer> optionCodes() {
    List<Integer> codes = new ArrayList<>();
    boolean[] seen = new boolean[256];
    for (int off : offsets) {
      int code = wire[off] & 0xff;
      if (!seen[code]) {
        seen[code] = true;
        codes.add(code);
      }
    }
    return Collections.unmodifiableList(codes);
  }

  /** Whether option {@code code} is present. */
  public boolean hasOption(int code) {
    for (int off : offsets) {
      if ((wire[off] & 0xff) == code) {
        return true;
      }
    }
    return false;
  }

  /**
   * The raw value of option {@code code}: all its instances concatenated (RFC 3396), in a fresh
   * array; empty if absent.
   */
  public Optional<byte[]> option(int code) {
    OptionValue v = value(code, "option " + code);
    return v == null ? Optional.empty() : Optional.of(v.bytes());
  }

  /**
   * The typed value of {@code option}; empty if absent.
   *
   * @throws MalformedDhcpMessageException if the option's contents break its RFC (a length that
   *     does not fit, a value out of range); the offset is that of the option or of the bad byte
   */
  public <T> Optional<T> get(DhcpOption<T> option) throws MalformedDhcpMessageException {
    OptionValue v = value(option.code(), option.label());
    return v == null ? Optional.empty() : Optional.of(option.decode(v));
  }

  /** The DHCP message type (53); empty for plain BOOTP. */
  public Optional<DhcpMessageType> messageType() throws MalformedDhcpMessageException {
    return get(DhcpOption.DHCP_MESSAGE_TYPE);
  }

  /** The client identifier (61). */
  public Optional<ClientId> clientId() throws MalformedDhcpMessageException {
    return get(DhcpOption.CLIENT_IDENTIFIER);
  }

  /** The requested IP address (50). */
  public Optional<Ipv4Address> requestedAddress() throws MalformedDhcpMessageException {
    return get(DhcpOption.REQUESTED_IP_ADDRESS);
  }

  /** The server identifier (54). */
  public Optional<Ipv4Address> serverIdentifier() throws MalformedDhcpMessageException {
    return get(DhcpOption.SERVER_IDENTIFIER);
  }

  /** The lease time in seconds (51); 0xffffffff means infinite. */
  public Optional<Long> leaseTime() throws MalformedDhcpMessageException {
    return get(DhcpOption.IP_ADDRESS_LEASE_TIME);
  }

  /** The renewal (T1) time in seconds (58). */
  public Optional<Long> renewalTime() throws MalformedDhcpMessageException {
    return get(DhcpOption.RENEWAL_TIME);
  }

  /** The rebinding (T2) time in seconds (59). */
  public Optional<Long> rebindingTime() throws MalformedDhcpMessageException {
    return get(DhcpOption.REBINDING_TIME);
  }

  /** The option codes the client asks for (55), in its order. */
  public Optional<List<Integer>> parameterRequestList() throws MalformedDhcpMessageException {
    return get(DhcpOption.PARAMETER_REQUEST_LIST);
  }

  /** The relay agent information (82). */
  public Optional<RelayAgentInfo> relayAgentInfo() throws MalformedDhcpMessageException {
    return get(DhcpOption.RELAY_AGENT_INFORMATION);
  }

  /** The classless static routes (121). */
  public Optional<List<ClasslessRoute>> classlessRoutes() throws MalformedDhcpMessageException {
    return get(DhcpOption.CLASSLESS_STATIC_ROUTES);
  }

  /** The client FQDN (81). */
  public Optional<ClientFqdn> clientFqdn() throws MalformedDhcpMessageException {
    return get(DhcpOption.CLIENT_FQDN);
  }

  /** The host name (12). */
  public Optional<String> hostName() throws MalformedDhcpMessageException {
    return get(DhcpOption.HOST_NAME);
  }

  /** The domain name (15). */
  public Optional<String> domainName() throws MalformedDhcpMessageException {
    return get(DhcpOption.DOMAIN_NAME);
  }

  /** The subnet mask (1). */
  public Optional<Ipv4Address> subnetMask() throws MalformedDhcpMessageException {
    return get(DhcpOption.SUBNET_MASK);
  }

  /** The routers (3). */
  public Optional<List<Ipv4Address>> routers() throws MalformedDhcpMessageException {
    return get(DhcpOption.ROUTERS);
  }

  /** The DNS servers (6). */
  public Optional<List<Ipv4Address>> domainNameServers() throws MalformedDhcpMessageException {
    return get(DhcpOption.DOMAIN_NAME_SERVERS);
  }

  /** The largest message the client accepts (57). */
  public Optional<Integer> maxMessageSize() throws MalformedDhcpMessageException {
    return get(DhcpOption.MAX_DHCP_MESSAGE_SIZE);
  }

  /** The vendor class identifier (60). */
  public Optional<String> vendorClassIdentifier() throws MalformedDhcpMessageException {
    return get(DhcpOption.VENDOR_CLASS_IDENTIFIER);
  }

  // ---- wire form

  /** The encoded length in bytes. */
  public int length() {
    return wire.length;
  }

  /** The wire form, in a fresh array; the bytes it was decoded from, for a decoded message. */
  public byte[] encode() {
    return wire.clone();
  }

  byte[] wire() {
    return wire;
  }

  /** Offsets of the code byte of every option instance, in RFC 3396 order (for tests). */
  int[] instanceOffsets() {
    return offsets.clone();
  }

  /** The overload in force: 0 none, 1 file, 2 sname, 3 both. */
  int overloadInForce() {
    return overload;
  }

  private OptionValue value(int code, String label) {
    int[] matches = null;
    int count = 0;
    for (int off : offsets) {
      if ((wire[off] & 0xff) == code) {
        if (matches == null) {
          matches = new int[offsets.length];
        }
        matches[count++] = off;
      }
    }
    return count == 0 ? null : OptionValue.of(label, wire, matches, count);
  }

  private int u8(int at) {
    return wire[at] & 0xff;
  }

  private String text(int from, int length) {
    int end = from;
    while (end < from + length && wire[end] != 0) {
      end++;
    }
    return new String(wire, from, end - from, StandardCharsets.ISO_8859_1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DhcpMessage other && Arrays.equals(wire, other.wire);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wire);
  }

  /** A one-line summary: op, xid, chaddr, addresses that are set, option codes. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("DhcpMessage[");
    sb.append(op() == BOOTREQUEST ? "BOOTREQUEST" : op() == BOOTREPLY ? "BOOTREPLY" : "op=" + op());
    sb.append(", xid=0x").append(Integer.toHexString(xid()));
    sb.append(", chaddr=").append(HexFormat.ofDelimiter(":").formatHex(chaddr()));
    appendAddress(sb, "ciaddr", ciaddr());
    appendAddress(sb, "yiaddr", yiaddr());
    appendAddress(sb, "siaddr", siaddr());
    appendAddress(sb, "giaddr", giaddr());
    sb.append(cookie ? ", options=" + optionCodes() : ", no magic cookie");
    return sb.append(", ").append(wire.length).append(" bytes]").toString();
  }

  private static void appendAddress(StringBuilder sb, String name, Ipv4Address a) {
    if (!a.isUnspecified()) {
      sb.append(", ").append(name).append('=').append(a);
    }
  }

  /**
   * Lays out a new message. Header fields start at zero (op BOOTREQUEST, htype 1, hlen 6); options
   * are written in the order they were first set, except that the message type (53) comes first and
   * the relay agent information (82) last (RFC 3046 §2.1). An option value longer than 255 bytes is
   * split into consecutive instances (RFC 3396 §5). The options field ends with END and the message
   * is zero-padded to the 300-byte BOOTP minimum.
   *
   * <p>With {@link #maxLength(int)}, options that do not fit in the options field go into the
   * {@code file} and {@code sname} fields (those not set by {@link #file(String)} or {@link
   * #sname(String)}) and option 52 says which (RFC 2131 §4.1, RFC 2132 §9.3). Each instance goes
   * into the first field with room for it whole, keeping one option's instances in options, file,
   * sname order; an option is split across fields only when no remaining field holds it (RFC 3396
   * §4).
   */
  public static final class Builder {
    int op = BOOTREQUEST;
    int htype = 1;
    int hlen = 6;
    int hops;
    int xid;
    int secs;
    int flags;
    Ipv4Address ciaddr = Ipv4Address.ANY;
    Ipv4Address yiaddr = Ipv4Address.ANY;
    Ipv4Address siaddr = Ipv4Address.ANY;
    Ipv4Address giaddr = Ipv4Address.ANY;
    final byte[] chaddr = new byte[16];
    final byte[] sname = new byte[DhcpCodec.SNAME_LENGTH];
    final byte[] file = new byte[DhcpCodec.FILE_LENGTH];
    byte[] vendorArea; // plain BOOTP when set
    final Map<Integer, byte[]> options = new LinkedHashMap<>();
    int maxLength = DhcpCodec.MAX_LENGTH;

    private Builder() {}

    /** Sets {@code op}, 0-255 ({@link #BOOTREQUEST} or {@link #BOOTREPLY}). */
    public Builder op(int op) {
      this.op = Codecs.checkU8(op, "op");
      return this;
    }

    /** Sets the hardware address type, 0-255. */
    public Builder htype(int htype) {
      this.htype = Codecs.checkU8(htype, "htype");
      return this;
    }

    /** Sets the hardware address length, 0-255 (set by the {@code chaddr} methods too). */
    public Builder hlen(int hlen) {
      this.hlen = Codecs.checkU8(hlen, "hlen");
      return this;
    }

    /** Sets the relay hop count, 0-255. */
    public Builder hops(int hops) {
      this.hops = Codecs.checkU8(hops, "hops");
      return this;
    }

    /** Sets the transaction ID. */
    public Builder xid(int xid) {
      this.xid = xid;
      return this;
    }

    /** Sets the seconds elapsed, 0-65535. */
    public Builder secs(int secs) {
      this.secs = Codecs.checkU16(secs, "secs");
      return this;
    }

    /** Sets the flags field, 0-65535. */
    public Builder flags(int flags) {
      this.flags = Codecs.checkU16(flags, "flags");
      return this;
    }

    /** Sets or clears the broadcast flag. */
    public Builder broadcast(boolean broadcast) {
      this.flags = broadcast ? flags | FLAG_BROADCAST : flags & ~FLAG_BROADCAST;
      return this;
    }

    /** Sets the client IP address. */
    public Builder ciaddr(Ipv4Address ciaddr) {
      this.ciaddr = Objects.requireNonNull(ciaddr, "ciaddr");
      return this;
    }

    /** Sets "your" (offered or assigned) address. */
    public Builder yiaddr(Ipv4Address yiaddr) {
      this.yiaddr = Objects.requireNonNull(yiaddr, "yiaddr");
      return this;
    }

    /** Sets the next-server address. */
    public Builder siaddr(Ipv4Address siaddr) {
      this.siaddr = Objects.requireNonNull(siaddr, "siaddr");
      return this;
    }

    /** Sets the relay agent address. */
    public Builder giaddr(Ipv4Address giaddr) {
      this.giaddr = Objects.requireNonNull(giaddr, "giaddr");
      return this;
    }

    /** Sets an Ethernet client address: htype 1, hlen 6. */
    public Builder chaddr(MacAddress mac) {
      htype = 1;
      return chaddr(mac.toBytes());
    }

    /**
     * Sets the client hardware address and {@code hlen} to its length.
     *
     * @throws IllegalArgumentException if longer than 16 bytes
     */
    public Builder chaddr(byte[] address) {
      if (address.length > 16) {
        throw new IllegalArgumentException("chaddr holds 16 bytes, not " + address.length);
      }
      Arrays.fill(chaddr, (byte) 0);
      System.arraycopy(address, 0, chaddr, 0, address.length);
      hlen = address.length;
      return this;
    }

    /**
     * Sets the server host name field (one byte per character, NUL-terminated); a field set here is
     * never overloaded.
     *
     * @throws IllegalArgumentException if longer than 63 characters or a character is above U+00FF
     */
    public Builder sname(String serverName) {
      return field(sname, serverName, "sname");
    }

    /**
     * Sets the boot file name field (one byte per character, NUL-terminated); a field set here is
     * never overloaded.
     *
     * @throws IllegalArgumentException if longer than 127 characters or a character is above U+00FF
     */
    public Builder file(String bootFile) {
      return field(file, bootFile, "file");
    }

    private Builder field(byte[] field, String text, String name) {
      byte[] b = Codecs.latin1(text, name);
      if (b.length >= field.length) {
        throw new IllegalArgumentException(
            name + " holds " + (field.length - 1) + " characters and a NUL, not " + b.length);
      }
      Arrays.fill(field, (byte) 0);
      System.arraycopy(b, 0, field, 0, b.length);
      return this;
    }

    /**
     * Makes this a plain BOOTP message: no magic cookie, {@code vendorArea} written after the file
     * field as it is (RFC 951). Options cannot be set as well.
     */
    public Builder bootpVendorArea(byte[] vendorArea) {
      this.vendorArea = vendorArea.clone();
      return this;
    }

    /**
     * Limits the message to {@code maxLength} bytes (from {@code op} to the end), overloading
     * {@code file} and {@code sname} with options that do not fit in the options field. A server
     * passes the client's maximum message size (option 57, less the IP and UDP headers) or 548 (576
     * less 28, RFC 2131 §2).
     *
     * @throws IllegalArgumentException if below 300 or above {@link DhcpCodec#MAX_LENGTH}
     */
    public Builder maxLength(int maxLength) {
      if (maxLength < DhcpCodec.BOOTP_MIN_LENGTH || maxLength > DhcpCodec.MAX_LENGTH) {
        throw new IllegalArgumentException(
            "max length " + maxLength + " is outside 300-" + DhcpCodec.MAX_LENGTH);
      }
      this.maxLength = maxLength;
      return this;
    }

    /**
     * Sets {@code option} to {@code value}, replacing any earlier value (which keeps its place).
     *
     * @throws IllegalArgumentException if the value breaks the option's rules, or the option is 52
     *     (the builder sets it when it overloads)
     */
    public <T> Builder set(DhcpOption<T> option, T value) {
      Objects.requireNonNull(value, "value");
      checkCode(option.code());
      options.put(option.code(), option.encode(value));
      return this;
    }

    /**
     * Sets option {@code code} to raw {@code value}, replacing any earlier value (which keeps its
     * place); values longer than 255 bytes are split on encoding.
     *
     * @throws IllegalArgumentException if the code is 0, 52 or 255, or outside 0-255
     */
    public Builder option(int code, byte[] value) {
      checkCode(code);
      options.put(code, value.clone());
      return this;
    }

    private static void checkCode(int code) {
      if (code <= DhcpCodec.OPTION_PAD || code >= DhcpCodec.OPTION_END) {
        throw new IllegalArgumentException("option code " + code + " is not 1-254");
      }
      if (code == DhcpCodec.OPTION_OVERLOAD) {
        throw new IllegalArgumentException(
            "option 52 is set by the builder when it overloads sname or file; use maxLength");
      }
    }

    /** Removes option {@code code}, if set. */
    public Builder remove(int code) {
      options.remove(code);
      return this;
    }

    /** Sets the DHCP message type (53). */
    public Builder messageType(DhcpMessageType type) {
      return set(DhcpOption.DHCP_MESSAGE_TYPE, type);
    }

    /** Sets the client identifier (61). */
    public Builder clientId(ClientId clientId) {
      return set(DhcpOption.CLIENT_IDENTIFIER, clientId);
    }

    /** Sets the requested IP address (50). */
    public Builder requestedAddress(Ipv4Address address) {
      return set(DhcpOption.REQUESTED_IP_ADDRESS, address);
    }

    /** Sets the server identifier (54). */
    public Builder serverIdentifier(Ipv4Address server) {
      return set(DhcpOption.SERVER_IDENTIFIER, server);
    }

    /** Sets the lease time in seconds (51), 0 to 0xffffffff (infinite). */
    public Builder leaseTime(long seconds) {
      return set(DhcpOption.IP_ADDRESS_LEASE_TIME, seconds);
    }

    /** Sets the renewal (T1) time in seconds (58). */
    public Builder renewalTime(long seconds) {
      return set(DhcpOption.RENEWAL_TIME, seconds);
    }

    /** Sets the rebinding (T2) time in seconds (59). */
    public Builder rebindingTime(long seconds) {
      return set(DhcpOption.REBINDING_TIME, seconds);
    }

    /** Sets the parameter request list (55). */
    public Builder parameterRequestList(List<Integer> codes) {
      return set(DhcpOption.PARAMETER_REQUEST_LIST, codes);
    }

    /** Sets the relay agent information (82), which is always written last. */
    public Builder relayAgentInfo(RelayAgentInfo info) {
      return set(DhcpOption.RELAY_AGENT_INFORMATION, info);
    }

    /** Sets the classless static routes (121). */
    public Builder classlessRoutes(List<ClasslessRoute> routes) {
      return set(DhcpOption.CLASSLESS_STATIC_ROUTES, routes);
    }

    /** Sets the client FQDN (81). */
    public Builder clientFqdn(ClientFqdn fqdn) {
      return set(DhcpOption.CLIENT_FQDN, fqdn);
    }

    /** Sets the host name (12). */
    public Builder hostName(String hostName) {
      return set(DhcpOption.HOST_NAME, hostName);
    }

    /** Sets the domain name (15). */
    public Builder domainName(String domainName) {
      return set(DhcpOption.DOMAIN_NAME, domainName);
    }

    /** Sets the subnet mask (1). */
    public Builder subnetMask(Ipv4Address mask) {
      return set(DhcpOption.SUBNET_MASK, mask);
    }

    /** Sets the routers (3). */
    public Builder routers(List<Ipv4Address> routers) {
      return set(DhcpOption.ROUTERS, routers);
    }

    /** Sets the DNS servers (6). */
    public Builder domainNameServers(List<Ipv4Address> servers) {
      return set(DhcpOption.DOMAIN_NAME_SERVERS, servers);
    }

    /**
     * Lays out and returns the message.
     *
     * @throws IllegalStateException if options and a BOOTP vendor area are both set, or the options
     *     do not fit in {@link #maxLength(int)} even with overloading
     */
    public DhcpMessage build() {
      byte[] wire = MessageWriter.write(this);
      try {
        return DhcpCodec.parse(wire);
      } catch (MalformedDhcpMessageException e) {
        throw new AssertionError("the builder wrote a message it cannot read: " + e, e);
      }
    }
  }
}
