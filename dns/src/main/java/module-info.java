/**
 * headend DNS: a zero-copy query codec and TCP framing over dnsjava's vocabulary, an authoritative
 * server engine, and UDP/TCP adapters on the core transports.
 */
module dev.headend.dns {
  requires transitive dev.headend.core;
  requires transitive org.dnsjava;
  requires com.github.benmanes.caffeine;

  exports dev.headend.dns.wire;
  exports dev.headend.dns.resolver;
  exports dev.headend.dns.server;
  exports dev.headend.dns.transport;
}
