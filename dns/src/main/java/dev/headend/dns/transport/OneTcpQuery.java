package dev.headend.dns.transport;

import dev.headend.core.transport.StreamConnection;
import dev.headend.core.transport.StreamHandler;
import java.time.Instant;
import java.util.function.Consumer;

/** Sends one DNS query over a new TCP connection and passes the response on; then closes. */
final class OneTcpQuery implements StreamHandler<byte[], FramedMessageEngine> {
  private final byte[] query;
  private final Consumer<byte[]> onResponse;

  OneTcpQuery(byte[] query, Consumer<byte[]> onResponse) {
    this.query = query;
    this.onResponse = onResponse;
  }

  @Override
  public FramedMessageEngine open(StreamConnection<FramedMessageEngine> c, Instant now) {
    return FramedMessageEngine.oneShot(query);
  }

  @Override
  public void onEvent(StreamConnection<FramedMessageEngine> c, byte[] response) {
    onResponse.accept(response);
  }
}
