package dev.headend.dhcp.client;

import dev.headend.core.net.Ipv4Address;

/** What a {@link DhcpClient} tells the application. */
public sealed interface DhcpClientEvent {

  /**
   * A lease was obtained (DHCPACK in REQUESTING or REBOOTING): configure the interface with it,
   * check the address is not in use (ARP), and call {@link DhcpClient#decline} if it is.
   *
   * @param lease the lease
   */
  record Bound(DhcpLease lease) implements DhcpClientEvent {}

  /**
   * The lease was extended (DHCPACK in RENEWING or REBINDING).
   *
   * @param lease the extended lease
   */
  record Renewed(DhcpLease lease) implements DhcpClientEvent {}

  /**
   * The lease ran out without being renewed: stop using the address. The client starts over.
   *
   * @param lease the lease that ended
   */
  record Expired(DhcpLease lease) implements DhcpClientEvent {}

  /**
   * A server refused the address (DHCPNAK): stop using it if bound. The client starts over.
   *
   * @param server the server identifier in the NAK, or {@link Ipv4Address#ANY} without one
   * @param requested the address the client asked for
   * @param message the server's text (option 56), or empty
   */
  record Nak(Ipv4Address server, Ipv4Address requested, String message)
      implements DhcpClientEvent {}

  /**
   * A DHCPDECLINE was sent for {@code address}; the client waits 10 s and starts over.
   *
   * @param address the declined address
   */
  record Declined(Ipv4Address address) implements DhcpClientEvent {}

  /**
   * A DHCPRELEASE was sent for {@code address}; the client is {@link DhcpClientState#STOPPED}.
   *
   * @param address the released address
   */
  record Released(Ipv4Address address) implements DhcpClientEvent {}
}
