package dev.headend.dhcp.client;

import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A lease as the client holds it: the address, the times, the common options decoded, and the whole
 * DHCPACK for anything else ({@link #ack()}, {@link #option(DhcpOption)}). Options the server sent
 * in a form their RFC forbids read as absent.
 */
public final class DhcpLease {
  /** Lease time meaning "forever" (RFC 2132 §9.2). */
  public static final long INFINITE = 0xffff_ffffL;

  private final Ipv4Address address;
  private final Ipv4Address serverId;
  private final Instant acquired;
  private final long leaseSeconds;
  private final long t1Seconds;
  private final long t2Seconds;
  private final DhcpMessage ack;

  DhcpLease(Ipv4Address serverId, Instant acquired, long leaseSeconds, DhcpMessage ack) {
    this.address = ack.yiaddr();
    this.serverId = serverId;
    this.acquired = acquired;
    this.leaseSeconds = leaseSeconds;
    this.ack = ack;
    long t1 = read(ack, DhcpOption.RENEWAL_TIME).orElse(-1L);
    long t2 = read(ack, DhcpOption.REBINDING_TIME).orElse(-1L);
    if (leaseSeconds == INFINITE) {
      t1 = INFINITE;
      t2 = INFINITE;
    } else {
      // RFC 2131 §4.4.5: defaults 0.5 and 0.875 of the lease; keep T1 <= T2 <= lease
      if (t2 < 0 || t2 > leaseSeconds) {
        t2 = leaseSeconds * 7 / 8;
      }
      if (t1 < 0 || t1 > t2) {
        t1 = Math.min(leaseSeconds / 2, t2);
      }
    }
    this.t1Seconds = t1;
    this.t2Seconds = t2;
  }

  private static <T> Optional<T> read(DhcpMessage m, DhcpOption<T> option) {
    try {
      return m.get(option);
    } catch (MalformedDhcpMessageException e) {
      return Optional.empty();
    }
  }

  /** The leased address ({@code yiaddr}). */
  public Ipv4Address address() {
    return address;
  }

  /** The server that granted it (option 54). */
  public Ipv4Address serverId() {
    return serverId;
  }

  /** When the request the ACK answered was sent: the lease's times count from here. */
  public Instant acquired() {
    return acquired;
  }

  /** Lease time (option 51); {@link #INFINITE} seconds means forever. */
  public Duration leaseTime() {
    return Duration.ofSeconds(leaseSeconds);
  }

  /** T1 (option 58, else half the lease). */
  public Duration renewalTime() {
    return Duration.ofSeconds(t1Seconds);
  }

  /** T2 (option 59, else 7/8 of the lease). */
  public Duration rebindingTime() {
    return Duration.ofSeconds(t2Seconds);
  }

  /** Whether the lease never expires. */
  public boolean infinite() {
    return leaseSeconds == INFINITE;
  }

  /** When the lease ends; {@link Instant#MAX} for an infinite lease. */
  public Instant expires() {
    return infinite() ? Instant.MAX : acquired.plusSeconds(leaseSeconds);
  }

  /** When the client starts renewing; {@link Instant#MAX} for an infinite lease. */
  public Instant renewAt() {
    return infinite() ? Instant.MAX : acquired.plusSeconds(t1Seconds);
  }

  /** When the client starts rebinding; {@link Instant#MAX} for an infinite lease. */
  public Instant rebindAt() {
    return infinite() ? Instant.MAX : acquired.plusSeconds(t2Seconds);
  }

  /** Subnet mask (option 1). */
  public Optional<Ipv4Address> subnetMask() {
    return read(ack, DhcpOption.SUBNET_MASK);
  }

  /** Routers (option 3), empty if none. */
  public List<Ipv4Address> routers() {
    return read(ack, DhcpOption.ROUTERS).orElse(List.of());
  }

  /** DNS servers (option 6), empty if none. */
  public List<Ipv4Address> domainNameServers() {
    return read(ack, DhcpOption.DOMAIN_NAME_SERVERS).orElse(List.of());
  }

  /** Domain name (option 15). */
  public Optional<String> domainName() {
    return read(ack, DhcpOption.DOMAIN_NAME);
  }

  /** TFTP server name (option 66). */
  public Optional<String> tftpServerName() {
    return read(ack, DhcpOption.TFTP_SERVER_NAME);
  }

  /** Boot file name (option 67). */
  public Optional<String> bootFileName() {
    return read(ack, DhcpOption.BOOTFILE_NAME);
  }

  /** The {@code sname} header field (empty when it is overloaded with options or unset). */
  public String serverName() {
    return ack.sname();
  }

  /** The {@code file} header field (empty when it is overloaded with options or unset). */
  public String bootFile() {
    return ack.file();
  }

  /** The {@code siaddr} header field: the next server in the boot process. */
  public Ipv4Address nextServer() {
    return ack.siaddr();
  }

  /** Any option, typed; absent when missing or malformed. */
  public <T> Optional<T> option(DhcpOption<T> option) {
    return read(ack, Objects.requireNonNull(option, "option"));
  }

  /** The DHCPACK this lease came from: every option, raw or typed. */
  public DhcpMessage ack() {
    return ack;
  }

  /** Address, server and times, for logs. */
  @Override
  public String toString() {
    return "DhcpLease["
        + address
        + " from "
        + serverId
        + ", "
        + leaseSeconds
        + " s at "
        + acquired
        + "]";
  }
}
