package dev.headend.mail.smtp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Drives one engine in a test: feeds text, collects replies and events. */
final class Session {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final SmtpServerEngine engine;
  final List<SmtpEvent> events = new ArrayList<>();
  final List<SmtpEvent.MessageReceived> messages = new ArrayList<>();
  Instant now = T0;
  boolean autoAccept = true;
  int queued;

  Session(SmtpServerConfig config) {
    this(config, new InetSocketAddress("127.0.0.1", 40000));
  }

  Session(SmtpServerConfig config, InetSocketAddress client) {
    engine = SmtpServerEngine.open(config, client, "c1", now);
  }

  static SmtpServerConfig.Builder config() {
    return SmtpServerConfig.builder("mx.example.test").localDomains("example.test");
  }

  /** Feeds {@code text} and returns every reply produced. */
  String send(String text) {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  String send(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    engine.receive(now, b);
    return drain();
  }

  /** Feeds bytes and returns the buffer, to see what the engine left. */
  ByteBuffer feed(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    engine.receive(now, b);
    return b;
  }

  String drain() {
    SmtpEvent e;
    while ((e = engine.nextEvent()) != null) {
      events.add(e);
      if (e instanceof SmtpEvent.MessageReceived m) {
        messages.add(m);
        if (autoAccept) {
          engine.messageAccepted(now, "Q" + ++queued);
        }
      }
    }
    return output();
  }

  String output() {
    StringBuilder sb = new StringBuilder();
    ByteBuffer out;
    while ((out = engine.pollOutput()) != null) {
      sb.append(StandardCharsets.UTF_8.decode(out));
    }
    return sb.toString();
  }

  /** EHLO, and the greeting and EHLO reply are dropped. */
  Session hello() {
    send("EHLO client.test\r\n");
    return this;
  }

  /** The message content without the Received header the engine added. */
  static String body(SmtpEvent.MessageReceived m) {
    String s = new String(m.content(), StandardCharsets.UTF_8);
    int end = s.indexOf("\r\n", s.indexOf("; "));
    return s.substring(end + 2);
  }
}
