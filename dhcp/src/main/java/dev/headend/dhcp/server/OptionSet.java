package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Options a server hands out (for a subnet, or one host), by code, in their wire form. Immutable.
 *
 * <pre>{@code
 * OptionSet options = OptionSet.builder()
 *     .routers(List.of(Ipv4Address.parse("10.99.0.1")))
 *     .domainNameServers(List.of(Ipv4Address.parse("10.99.0.53")))
 *     .domainName("example.test")
 *     .set(DhcpOption.INTERFACE_MTU, 1500)
 *     .build();
 * }</pre>
 */
public final class OptionSet {
  /** No options. */
  public static final OptionSet EMPTY = new OptionSet(new LinkedHashMap<>());

  private final Map<Integer, byte[]> options;
  private final List<Integer> codes;

  private OptionSet(Map<Integer, byte[]> options) {
    this.options = options;
    this.codes = Collections.unmodifiableList(new ArrayList<>(options.keySet()));
  }

  /** A builder with no options. */
  public static Builder builder() {
    return new Builder();
  }

  /** The codes set, in the order they were first set. */
  public List<Integer> codes() {
    return codes;
  }

  /** The wire value of option {@code code}, if set. */
  public Optional<byte[]> get(int code) {
    byte[] v = options.get(code);
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }

  byte[] raw(int code) {
    return options.get(code);
  }

  /** These options with {@code more}'s replacing any of the same code. */
  public OptionSet with(OptionSet more) {
    if (more.options.isEmpty()) {
      return this;
    }
    if (options.isEmpty()) {
      return more;
    }
    Map<Integer, byte[]> m = new LinkedHashMap<>(options);
    m.putAll(more.options);
    return new OptionSet(m);
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.options.putAll(options);
    return b;
  }

  @Override
  public String toString() {
    return "OptionSet" + codes;
  }

  /** Builds an {@link OptionSet}. */
  public static final class Builder {
    private final Map<Integer, byte[]> options = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets {@code option} to {@code value}.
     *
     * @throws IllegalArgumentException if the value breaks the option's rules, or the option is one
     *     the server sets itself (53, 54, 51, 58, 59, 52, 61, 82, 50, 55, 57)
     */
    public <T> Builder set(DhcpOption<T> option, T value) {
      Objects.requireNonNull(value, "value");
      checkSettable(option.code());
      byte[] wire =
          DhcpMessage.builder().set(option, value).build().option(option.code()).orElseThrow();
      options.put(option.code(), wire);
      return this;
    }

    /**
     * Sets option {@code code} to the raw {@code value} (any option, known or not).
     *
     * @throws IllegalArgumentException as {@link #set}, or if the code is not 1-254
     */
    public Builder raw(int code, byte[] value) {
      if (code < 1 || code > 254) {
        throw new IllegalArgumentException("option code " + code + " is not 1-254");
      }
      checkSettable(code);
      options.put(code, value.clone());
      return this;
    }

    /** Removes option {@code code}. */
    public Builder remove(int code) {
      options.remove(code);
      return this;
    }

    /** Routers (3). */
    public Builder routers(List<Ipv4Address> routers) {
      return set(DhcpOption.ROUTERS, routers);
    }

    /** Domain name servers (6). */
    public Builder domainNameServers(List<Ipv4Address> servers) {
      return set(DhcpOption.DOMAIN_NAME_SERVERS, servers);
    }

    /** Domain name (15). */
    public Builder domainName(String domain) {
      return set(DhcpOption.DOMAIN_NAME, domain);
    }

    /** NTP servers (42). */
    public Builder ntpServers(List<Ipv4Address> servers) {
      return set(DhcpOption.NTP_SERVERS, servers);
    }

    /** TFTP server name (66). */
    public Builder tftpServerName(String name) {
      return set(DhcpOption.TFTP_SERVER_NAME, name);
    }

    /** Boot file name (67). */
    public Builder bootfileName(String file) {
      return set(DhcpOption.BOOTFILE_NAME, file);
    }

    /** TFTP server addresses (150, RFC 5859). */
    public Builder tftpServerAddresses(List<Ipv4Address> servers) {
      return set(DhcpOption.TFTP_SERVER_ADDRESS, servers);
    }

    /** The options. */
    public OptionSet build() {
      return new OptionSet(new LinkedHashMap<>(options));
    }

    private static void checkSettable(int code) {
      switch (code) {
        case 50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 82 ->
            throw new IllegalArgumentException(
                "option " + code + " is set by the server (lease times are set on the subnet)");
        default -> {
          // any other option
        }
      }
    }
  }
}
