package dev.headend.dns.resolver;

/** What an {@link IterativeResolver} tells its application. */
public sealed interface ResolverEvent {

  /**
   * A resolution asked for with {@link IterativeResolver#resolve} finished.
   *
   * @param requestId the id {@code resolve} returned
   * @param resolution the outcome
   */
  record Resolved(long requestId, Resolution resolution) implements ResolverEvent {}

  /**
   * The response to a client query handed in with {@link IterativeResolver#submit} is ready.
   *
   * @param requestId the id {@code submit} returned
   * @param response the response message, wire form
   */
  record ResponseReady(long requestId, byte[] response) implements ResolverEvent {}

  /**
   * An upstream query that must go over TCP (the UDP answer was truncated): send it, framed, to
   * {@code server} and hand the one response back through {@link IterativeResolver#handle} as
   * coming from {@code server}. If the exchange fails, do nothing: the engine's deadline moves on.
   *
   * @param server where to connect
   * @param query the query message, unframed
   */
  record TcpQuery(java.net.InetSocketAddress server, byte[] query) implements ResolverEvent {}
}
