package dev.headend.cache.http.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.cache.http.HttpFields;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 head codec: round trips, and garbage only ever raises the typed error. */
class Http1PropertiesTest {
  @Property(tries = 3000)
  void garbageRequestHeadsRaiseOnlyTheTypedError(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      Http1.parseRequestHead(bytes, bytes.length);
    } catch (MalformedHttpMessageException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e.getMessage());
    }
    try {
      Http1.parseResponseHead(bytes, bytes.length);
    } catch (MalformedHttpMessageException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e.getMessage());
    }
  }

  @Provide
  Arbitrary<String> mutatedHeads() {
    String valid = "GET /a?b=1 HTTP/1.1\r\nHost: h.test\r\nCache-Control: max-age=5\r\n\r\n";
    return Arbitraries.integers()
        .between(0, valid.length() - 1)
        .flatMap(
            at ->
                Arbitraries.chars()
                    .range((char) 0, (char) 255)
                    .map(c -> valid.substring(0, at) + c + valid.substring(at + 1)));
  }

  @Property(tries = 3000)
  void mutatedHeadsRaiseOnlyTheTypedError(@ForAll("mutatedHeads") String head) {
    byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
    try {
      Http1.RequestHead h = Http1.parseRequestHead(b, b.length);
      assertTrue(h.method().length() > 0);
    } catch (MalformedHttpMessageException e) {
      assertTrue(e.getMessage().contains(" at byte "));
    }
  }

  @Provide
  Arbitrary<List<String>> fieldLines() {
    Arbitrary<String> name =
        Arbitraries.strings().withChars("abcXYZ-_0!#").ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> value =
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30).map(String::strip);
    return net.jqwik.api.Combinators.combine(name, value)
        .as((n, v) -> n + ":" + v)
        .list()
        .ofMaxSize(20);
  }

  @Property(tries = 1000)
  void writtenHeadsParseBack(@ForAll("fieldLines") List<String> lines) throws Exception {
    HttpFields.Builder b = HttpFields.builder();
    for (String l : lines) {
      int c = l.indexOf(':');
      b.add(l.substring(0, c), l.substring(c + 1));
    }
    HttpFields fields = b.build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Http1.writeHead(out, "HTTP/1.1 203 Non-Authoritative Information", fields);
    byte[] bytes = out.toByteArray();
    Http1.ResponseHead head = Http1.parseResponseHead(bytes, bytes.length);
    assertEquals(203, head.status());
    assertEquals(fields, head.fields());
    assertEquals(bytes.length, Http1.readHead(new ByteArrayInputStream(bytes), 1 << 20).length);
  }

  @Test
  void framingRefusesSmugglingShapes() {
    assertThrows(
        MalformedHttpMessageException.class,
        () ->
            Http1.framing(
                HttpFields.of("Transfer-Encoding", "chunked", "Content-Length", "5"), true));
    assertThrows(
        MalformedHttpMessageException.class,
        () -> Http1.framing(HttpFields.of("Content-Length", "5, 6"), true));
    assertThrows(
        MalformedHttpMessageException.class,
        () -> Http1.framing(HttpFields.of("Content-Length", "-1"), true));
    assertThrows(
        MalformedHttpMessageException.class,
        () -> Http1.framing(HttpFields.of("Transfer-Encoding", "gzip"), true));
  }

  @Test
  void chunkedBodiesAreDecodedAndBounded() throws IOException {
    byte[] chunked =
        "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    assertEquals(
        "Wikipedia",
        new String(
            Http1.readBody(new ByteArrayInputStream(chunked), -1, 100), StandardCharsets.US_ASCII));
    assertThrows(
        Http1.BodyTooLargeException.class,
        () -> Http1.readBody(new ByteArrayInputStream(chunked), -1, 8));
    assertThrows(
        IOException.class,
        () ->
            Http1.readBody(
                new ByteArrayInputStream("zz\r\n".getBytes(StandardCharsets.US_ASCII)), -1, 8));
  }

  @Test
  void headLimitIsEnforcedWhileReading() {
    byte[] big =
        ("GET / HTTP/1.1\r\nX: " + "a".repeat(5000) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    assertThrows(
        Http1.HeadTooLargeException.class,
        () -> Http1.readHead(new ByteArrayInputStream(big), 4096));
  }
}
