package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.ClientId;
import java.util.Objects;

/**
 * A fixed address (and optionally host options) for one client, matched by its hardware address
 * ({@code chaddr}) or by its client identifier (option 61).
 */
public final class Reservation {
  private final MacAddress mac;
  private final ClientId clientId;
  private final Ipv4Address address;
  private final OptionSet options;

  private Reservation(MacAddress mac, ClientId clientId, Ipv4Address address, OptionSet options) {
    this.mac = mac;
    this.clientId = clientId;
    this.address = Objects.requireNonNull(address, "address");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** {@code address} for the Ethernet client whose {@code chaddr} is {@code mac}. */
  public static Reservation forMac(MacAddress mac, Ipv4Address address) {
    return new Reservation(Objects.requireNonNull(mac, "mac"), null, address, OptionSet.EMPTY);
  }

  /** {@code address} for the client that sends {@code clientId} in option 61. */
  public static Reservation forClientId(ClientId clientId, Ipv4Address address) {
    return new Reservation(
        null, Objects.requireNonNull(clientId, "clientId"), address, OptionSet.EMPTY);
  }

  /** This reservation with host options, which replace the subnet's options of the same code. */
  public Reservation withOptions(OptionSet hostOptions) {
    return new Reservation(mac, clientId, address, hostOptions);
  }

  /** The reserved address. */
  public Ipv4Address address() {
    return address;
  }

  /** The host options. */
  public OptionSet options() {
    return options;
  }

  /** The hardware address matched, or null when matched by client identifier. */
  public MacAddress mac() {
    return mac;
  }

  /** The client identifier matched, or null when matched by hardware address. */
  public ClientId clientId() {
    return clientId;
  }

  @Override
  public String toString() {
    return (mac != null ? mac.toString() : "id " + clientId) + " -> " + address;
  }
}
