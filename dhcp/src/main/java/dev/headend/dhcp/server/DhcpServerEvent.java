package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import java.net.InetSocketAddress;
import java.time.Instant;

/** What a {@link DhcpServer} tells the application. */
public sealed interface DhcpServerEvent {

  /**
   * An address was offered (DHCPOFFER).
   *
   * @param client the client
   * @param address the address offered
   */
  record Offered(ClientKey client, Ipv4Address address) implements DhcpServerEvent {}

  /**
   * A lease was granted or extended and is on stable storage (the DHCPACK goes out with it).
   *
   * @param client the client
   * @param address its address
   * @param expires when the lease ends
   * @param renewal whether the client already held this address (a renewal or reboot)
   */
  record Leased(ClientKey client, Ipv4Address address, Instant expires, boolean renewal)
      implements DhcpServerEvent {}

  /**
   * The client gave its address back (DHCPRELEASE).
   *
   * @param client the client
   * @param address the address
   */
  record Released(ClientKey client, Ipv4Address address) implements DhcpServerEvent {}

  /**
   * The client found its address in use (DHCPDECLINE); the address is quarantined.
   *
   * @param client the client
   * @param address the address
   * @param quarantinedUntil when it may be handed out again
   */
  record Declined(ClientKey client, Ipv4Address address, Instant quarantinedUntil)
      implements DhcpServerEvent {}

  /**
   * A lease ran out.
   *
   * @param client the client
   * @param address the address
   */
  record Expired(ClientKey client, Ipv4Address address) implements DhcpServerEvent {}

  /**
   * A DHCPNAK was sent.
   *
   * @param client the client
   * @param requested the address the client asked for
   * @param reason why it was refused
   */
  record Nak(ClientKey client, Ipv4Address requested, String reason) implements DhcpServerEvent {}

  /**
   * A datagram was not answered.
   *
   * @param from its source
   * @param reason why
   * @param detail more about it, for logs
   */
  record Dropped(InetSocketAddress from, DropReason reason, String detail)
      implements DhcpServerEvent {}
}
