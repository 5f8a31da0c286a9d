package dev.headend.dhcp.relay;

import java.net.InetSocketAddress;
import java.util.List;

/** What a {@link DhcpRelay} tells the application. */
public sealed interface DhcpRelayEvent {

  /**
   * A client's request went to the servers.
   *
   * @param xid its transaction id
   * @param servers where it went
   */
  record ToServers(int xid, List<InetSocketAddress> servers) implements DhcpRelayEvent {}

  /**
   * A server's reply went to the client.
   *
   * @param xid its transaction id
   * @param to where it went
   */
  record ToClient(int xid, InetSocketAddress to) implements DhcpRelayEvent {}

  /**
   * A datagram was not relayed.
   *
   * @param from its source
   * @param reason why, for logs
   */
  record Dropped(InetSocketAddress from, String reason) implements DhcpRelayEvent {}
}
