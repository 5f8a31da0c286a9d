package dev.headend.mail.smtp.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Drives one client engine in a test: plays the server, collects what the client writes. */
final class Dialog {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final SmtpClientEngine engine;
  final List<SmtpClientEvent> events = new ArrayList<>();
  Instant now = T0;

  Dialog(SmtpClientConfig config, OutgoingMessage message) {
    engine = SmtpClientEngine.start(config, message, now);
  }

  static SmtpClientConfig.Builder config() {
    return SmtpClientConfig.builder("client.test");
  }

  static OutgoingMessage message(String... recipients) {
    return new OutgoingMessage(
        "alice@a.test",
        List.of(recipients),
        "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8));
  }

  /** Feeds what the server says, returns what the client writes back. */
  String server(String text) {
    engine.receive(now, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    return drain();
  }

  String drain() {
    for (SmtpClientEvent e; (e = engine.nextEvent()) != null; ) {
      events.add(e);
    }
    StringBuilder sb = new StringBuilder();
    for (ByteBuffer b; (b = engine.pollOutput()) != null; ) {
      byte[] a = new byte[b.remaining()];
      b.get(a);
      sb.append(new String(a, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  DeliveryResult result() {
    for (SmtpClientEvent e : events) {
      if (e instanceof SmtpClientEvent.Finished f) {
        return f.result();
      }
    }
    return null;
  }

  static final String EHLO_PIPE =
      "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
}
