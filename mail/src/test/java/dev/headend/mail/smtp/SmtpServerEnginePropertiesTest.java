package dev.headend.mail.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SmtpServerEnginePropertiesTest {
  private static final Set<String> VERBS =
      Set.of(
          "EHLO",
          "HELO",
          "MAIL",
          "RCPT",
          "DATA",
          "BDAT",
          "RSET",
          "NOOP",
          "QUIT",
          "VRFY",
          "EXPN",
          "HELP",
          "STARTTLS",
          "AUTH");

  private static SmtpServerConfig config() {
    return Session.config()
        .maxErrors(1_000_000)
        .startTls(true)
        .authWithoutTls(true)
        .authenticator((u, p) -> p.equals("pw"))
        .build();
  }

  /** Feeds bytes in chunks of the given sizes, as a network would split them. */
  private static String feed(Session s, byte[] bytes, List<Integer> sizes) {
    StringBuilder replies = new StringBuilder();
    int off = 0;
    int k = 0;
    while (off < bytes.length) {
      int n =
          Math.min(
              bytes.length - off, sizes.isEmpty() ? bytes.length : sizes.get(k++ % sizes.size()));
      ByteBuffer b = ByteBuffer.wrap(bytes, off, n);
      s.engine.receive(s.now, b);
      off = b.position();
      replies.append(s.drain());
      if (b.hasRemaining() && !s.engine.isClosed()) {
        // pushed back (a STARTTLS waiting): the rest cannot be taken, which is fine
        if (!s.events.isEmpty()
            && s.events.get(s.events.size() - 1) instanceof SmtpEvent.StartTls) {
          break;
        }
      }
    }
    return replies.toString();
  }

  @Property(tries = 400)
  void arbitraryBytesNeverThrowAndOnlyGetWellFormedReplies(
      @ForAll @Size(max = 3000) byte[] garbage,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 97) Integer> sizes) {
    Session s = new Session(config()).hello();
    String replies = feed(s, garbage, sizes);
    for (String line : replies.split("\r\n")) {
      if (!line.isEmpty()) {
        assertTrue(line.matches("[2-5]\\d\\d[ -].*"), () -> "malformed reply: " + line);
      }
    }
  }

  @Property(tries = 300)
  void garbageCommandsOnlyGetPermanentErrors(@ForAll("garbageLines") List<String> lines) {
    Session s = new Session(config()).hello();
    String replies = s.send(String.join("\r\n", lines) + "\r\n");
    String[] replyLines = replies.split("\r\n");
    assertEquals(lines.size(), replyLines.length, replies);
    for (String line : replyLines) {
      assertTrue(line.startsWith("5"), () -> "not a 5xx reply: " + line);
    }
  }

  @Provide
  Arbitrary<List<String>> garbageLines() {
    Arbitrary<String> unknownVerb =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .ofMinLength(0)
            .ofMaxLength(600)
            .filter(t -> !VERBS.contains(t.split(" ", -1)[0].toUpperCase(java.util.Locale.ROOT)));
    Arbitrary<String> badMail =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .ofMaxLength(200)
            .filter(t -> !t.regionMatches(true, 0, "FROM:", 0, 5) || !t.contains("<"))
            .map(t -> "MAIL " + t);
    Arbitrary<String> badRcpt =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .ofMaxLength(200)
            .map(t -> "RCPT " + t); // no MAIL yet: always 503
    return Arbitraries.oneOf(unknownVerb, badMail, badRcpt).list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 500)
  void dotStuffingRoundTripsOverAnyChunking(
      @ForAll("content") byte[] content,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 40) Integer> sizes) {
    Session s = new Session(Session.config().build()).hello();
    s.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n");
    String replies = feed(s, Dot.stuff(content), sizes);
    assertEquals("250 2.0.0 Ok: queued as Q1\r\n", replies);
    assertArrayEquals(expected(content), body(s.messages.get(0)));
  }

  @Property(tries = 300)
  void bdatChunksRoundTripOverAnyChunking(
      @ForAll("content") byte[] content,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 40) Integer> chunkSizes,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 40) Integer> sizes) {
    Session s = new Session(Session.config().build()).hello();
    s.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@example.test>\r\n");
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    int off = 0;
    int k = 0;
    do {
      int n = Math.min(content.length - off, chunkSizes.get(k++ % chunkSizes.size()));
      boolean last = off + n == content.length;
      wire.writeBytes(
          ("BDAT " + n + (last ? " LAST" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
      wire.write(content, off, n);
      off += n;
    } while (off < content.length);
    String replies = feed(s, wire.toByteArray(), sizes);
    assertTrue(replies.endsWith("250 2.0.0 Ok: queued as Q1\r\n"), replies);
    assertArrayEquals(content, body(s.messages.get(0)));
  }

  @Provide
  Arbitrary<byte[]> content() {
    return Arbitraries.of((byte) '.', (byte) '\r', (byte) '\n', (byte) 'a', (byte) 0xff)
        .array(byte[].class)
        .ofMaxSize(600);
  }

  private static byte[] expected(byte[] content) {
    int n = content.length;
    if (n == 0 || (n >= 2 && content[n - 2] == '\r' && content[n - 1] == '\n')) {
      return content;
    }
    byte[] e = Arrays.copyOf(content, n + 2);
    e[n] = '\r';
    e[n + 1] = '\n';
    return e;
  }

  /** The content without the Received header (which ends at the first CRLF after "; "). */
  private static byte[] body(SmtpEvent.MessageReceived m) {
    String s = new String(m.content(), StandardCharsets.ISO_8859_1);
    int end = s.indexOf("\r\n", s.indexOf("; ")) + 2;
    return Arrays.copyOfRange(m.content(), end, m.content().length);
  }
}
