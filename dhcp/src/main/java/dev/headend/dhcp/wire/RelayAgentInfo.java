package dev.headend.dhcp.wire;

import dev.headend.core.net.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The relay agent information option, 82 (RFC 3046): sub-options a relay adds on the way to the
 * server and the server echoes in its reply. Kept byte for byte in wire order; repeated sub-option
 * codes are kept too.
 *
 * <pre>{@code
 * RelayAgentInfo info = RelayAgentInfo.builder()
 *     .circuitId("eth0/1/3:101".getBytes(StandardCharsets.US_ASCII))
 *     .remoteId(cpeMac.toBytes())
 *     .build();
 * }</pre>
 */
public final class RelayAgentInfo {
  /** Agent Circuit ID (RFC 3046 §3.1): where the request came in. */
  public static final int CIRCUIT_ID = 1;

  /** Agent Remote ID (RFC 3046 §3.2): the remote end of the circuit. */
  public static final int REMOTE_ID = 2;

  /** Link Selection (RFC 3527): the subnet to allocate from, 4 bytes. */
  public static final int LINK_SELECTION = 5;

  /** Subscriber-ID (RFC 3993): a provisioning identifier, NVT ASCII. */
  public static final int SUBSCRIBER_ID = 6;

  /** Relay Agent Flags (RFC 5010). */
  public static final int RELAY_AGENT_FLAGS = 10;

  /** Server Identifier Override (RFC 5107), 4 bytes. */
  public static final int SERVER_ID_OVERRIDE = 11;

  private final byte[] wire;
  private final int[] offsets; // offset of each sub-option's code byte in wire

  private RelayAgentInfo(byte[] wire, int[] offsets) {
    this.wire = wire;
    this.offsets = offsets;
  }

  /** A builder for a new option. */
  public static Builder builder() {
    return new Builder();
  }

  static RelayAgentInfo decode(OptionValue v) throws MalformedDhcpMessageException {
    int n = v.length();
    int[] offs = new int[n / 2];
    int count = 0;
    int i = 0;
    while (i < n) {
      int code = v.u8(i);
      if (i + 1 >= n) {
        throw v.errorAt("sub-option " + code + " has no length byte", i);
      }
      int len = v.u8(i + 1);
      if (i + 2 + len > n) {
        throw v.errorAt(
            "sub-option " + code + " declares " + len + " bytes, " + (n - i - 2) + " remain", i);
      }
      if ((code == LINK_SELECTION || code == SERVER_ID_OVERRIDE) && len != 4) {
        throw v.errorAt("sub-option " + code + " has length " + len + ", not 4", i);
      }
      offs[count++] = i;
      i += 2 + len;
    }
    return new RelayAgentInfo(v.bytes(), Arrays.copyOf(offs, count));
  }

  /** The sub-option codes in wire order (a code sent twice is listed twice). */
  public List<Integer> codes() {
    List<Integer> codes = new ArrayList<>(offsets.length);
    for (int off : offsets) {
      codes.add(wire[off] & 0xff);
    }
    return Collections.unmodifiableList(codes);
  }

  /** The value of the first sub-option with {@code code}, in a fresh array. */
  public Optional<byte[]> subOption(int code) {
    for (int off : offsets) {
      if ((wire[off] & 0xff) == code) {
        return Optional.of(Arrays.copyOfRange(wire, off + 2, off + 2 + (wire[off + 1] & 0xff)));
      }
    }
    return Optional.empty();
  }

  /** Every value of sub-option {@code code}, in wire order. */
  public List<byte[]> subOptions(int code) {
    List<byte[]> values = new ArrayList<>();
    for (int off : offsets) {
      if ((wire[off] & 0xff) == code) {
        values.add(Arrays.copyOfRange(wire, off + 2, off + 2 + (wire[off + 1] & 0xff)));
      }
    }
    return values;
  }

  /** The Agent Circuit ID (sub-option 1). */
  public Optional<byte[]> circuitId() {
    return subOption(CIRCUIT_ID);
  }

  /** The Agent Remote ID (sub-option 2). */
  public Optional<byte[]> remoteId() {
    return subOption(REMOTE_ID);
  }

  /** The Link Selection address (sub-option 5, RFC 3527). */
  public Optional<Ipv4Address> linkSelection() {
    return subOption(LINK_SELECTION).map(Ipv4Address::ofBytes);
  }

  /** The Subscriber-ID (sub-option 6, RFC 3993), each byte as one character. */
  public Optional<String> subscriberId() {
    return subOption(SUBSCRIBER_ID).map(b -> new String(b, StandardCharsets.ISO_8859_1));
  }

  /** The Server Identifier Override address (sub-option 11, RFC 5107). */
  public Optional<Ipv4Address> serverIdOverride() {
    return subOption(SERVER_ID_OVERRIDE).map(Ipv4Address::ofBytes);
  }

  /** The option 82 value: the sub-options in wire order, in a fresh array. */
  public byte[] toBytes() {
    return wire.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelayAgentInfo other && Arrays.equals(wire, other.wire);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wire);
  }

  /** The sub-options as {@code code=hex}, {@code RelayAgentInfo[1=657468302f31, 2=...]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RelayAgentInfo[");
    for (int i = 0; i < offsets.length; i++) {
      int off = offsets[i];
      sb.append(i == 0 ? "" : ", ")
          .append(wire[off] & 0xff)
          .append('=')
          .append(HexFormat.of().formatHex(wire, off + 2, off + 2 + (wire[off + 1] & 0xff)));
    }
    return sb.append(']').toString();
  }

  /** Collects sub-options in the order they are added. */
  public static final class Builder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Integer> offsets = new ArrayList<>();

    private Builder() {}

    /**
     * Appends sub-option {@code code} with {@code value}.
     *
     * @throws IllegalArgumentException if the code is not 0-255, the value is longer than 255
     *     bytes, or a link selection / server override value is not 4 bytes
     */
    public Builder add(int code, byte[] value) {
      Objects.requireNonNull(value, "value");
      if (code < 0 || code > 255) {
        throw new IllegalArgumentException("sub-option code " + code + " is not 0-255");
      }
      if (value.length > 255) {
        throw new IllegalArgumentException(
            "sub-option " + code + " value of " + value.length + " bytes exceeds 255");
      }
      if ((code == LINK_SELECTION || code == SERVER_ID_OVERRIDE) && value.length != 4) {
        throw new IllegalArgumentException("sub-option " + code + " takes 4 bytes");
      }
      offsets.add(out.size());
      out.write(code);
      out.write(value.length);
      out.writeBytes(value);
      return this;
    }

    /** Appends an Agent Circuit ID (sub-option 1). */
    public Builder circuitId(byte[] circuitId) {
      return add(CIRCUIT_ID, circuitId);
    }

    /** Appends an Agent Remote ID (sub-option 2). */
    public Builder remoteId(byte[] remoteId) {
      return add(REMOTE_ID, remoteId);
    }

    /** Appends a Link Selection address (sub-option 5). */
    public Builder linkSelection(Ipv4Address subnet) {
      return add(LINK_SELECTION, subnet.toBytes());
    }

    /**
     * Appends a Subscriber-ID (sub-option 6).
     *
     * @throws IllegalArgumentException if a character is not ASCII
     */
    public Builder subscriberId(String subscriberId) {
      return add(SUBSCRIBER_ID, Codecs.ascii(subscriberId, "subscriber id"));
    }

    /** Appends a Server Identifier Override (sub-option 11). */
    public Builder serverIdOverride(Ipv4Address server) {
      return add(SERVER_ID_OVERRIDE, server.toBytes());
    }

    /** The option. */
    public RelayAgentInfo build() {
      int[] offs = new int[offsets.size()];
      for (int i = 0; i < offs.length; i++) {
        offs[i] = offsets.get(i);
      }
      return new RelayAgentInfo(out.toByteArray(), offs);
    }
  }
}
