package dev.headend.dns.server;

import java.net.InetSocketAddress;
import org.xbill.DNS.Name;

/**
 * What an authoritative engine tells the application. Queries themselves raise no event (they are
 * counted in {@link AuthoritativeServer#statistics()}); zone transfers and broken streams do.
 */
public sealed interface DnsServerEvent {

  /**
   * A zone transfer was sent in full.
   *
   * @param peer the client
   * @param zone the zone's origin
   * @param serial the SOA serial sent
   * @param records records sent (both SOA copies included)
   * @param messages DNS messages sent
   */
  record TransferSent(InetSocketAddress peer, Name zone, long serial, int records, int messages)
      implements DnsServerEvent {}

  /**
   * A zone transfer was refused (client not allowed, or no such zone here).
   *
   * @param peer the client
   * @param zone the requested name
   * @param reason why
   */
  record TransferRefused(InetSocketAddress peer, Name zone, String reason)
      implements DnsServerEvent {}

  /**
   * A TCP stream was closed because it could not be framed or parsed.
   *
   * @param peer the client
   * @param reason the decode error
   */
  record StreamClosed(InetSocketAddress peer, String reason) implements DnsServerEvent {}
}
