/**
 * headend DHCP: a lossless DHCPv4/BOOTP codec with typed options (RFC 2131, 2132, 3396, 3046, 3442,
 * 4702), sans-I/O server (with durable lease stores), client (RFC 2131 figure 5) and relay agent
 * (RFC 1542, 3046) engines, and their UDP adapters.
 */
module dev.headend.dhcp {
  requires transitive dev.headend.core;

  exports dev.headend.dhcp.wire;
  exports dev.headend.dhcp.server;
  exports dev.headend.dhcp.client;
  exports dev.headend.dhcp.relay;
  exports dev.headend.dhcp.transport;
}
