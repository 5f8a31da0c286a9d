package dev.headend.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MailMessageTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void unfoldsFoldedFields() throws Exception {
    // RFC 5322 §2.2.3: unfolding removes each CRLF that is followed by WSP
    MailMessage m =
        MailMessage.parse(
            bytes("Subject: This\r\n is a test\r\n\tof folding\r\nTo: b@x\r\n\r\nbody\r\n"));
    assertEquals(Optional.of("This is a test\tof folding"), m.header("subject"));
    assertEquals(2, m.fields().size());
    assertEquals("body\r\n", new String(m.body(), StandardCharsets.US_ASCII));
  }

  @Test
  void fieldNamesAreCaseInsensitiveAndRepeatedFieldsKeepTheirOrder() throws Exception {
    MailMessage m = MailMessage.parse(bytes("Received: a\r\nSUBJECT: s\r\nreceived: b\r\n\r\n"));
    assertEquals(Optional.of("s"), m.header("Subject"));
    assertEquals(List.of("a", "b"), m.headers("RECEIVED"));
    assertEquals(Optional.empty(), m.header("From"));
  }

  @Test
  void rawBytesArePreservedExactly() throws Exception {
    byte[] in = bytes("X-Odd :  spaced \r\nSubject: =?utf-8?q?x?=\r\n  more\r\n\r\n\r\n.\r\n");
    MailMessage m = MailMessage.parse(in);
    assertArrayEquals(in, m.bytes());
    assertArrayEquals(bytes("X-Odd :  spaced \r\n"), m.fields().get(0).raw());
    assertEquals("X-Odd", m.fields().get(0).name(), "RFC 5322 §4.5.3: WSP before the colon");
    assertEquals("spaced ", m.fields().get(0).value());
    assertArrayEquals(bytes("Subject: =?utf-8?q?x?=\r\n  more\r\n"), m.fields().get(1).raw());
  }

  @Test
  void aMessageWithoutBodyOrWithBareLineFeeds() throws Exception {
    MailMessage noBody = MailMessage.parse(bytes("Subject: x\r\n"));
    assertEquals(noBody.bytes().length, noBody.bodyOffset());
    MailMessage unix = MailMessage.parse(bytes("Subject: x\n y\nTo: z\n\nbody\n"));
    assertEquals(Optional.of("x y"), unix.header("subject"));
    assertEquals("body\n", new String(unix.body(), StandardCharsets.US_ASCII));
    MailMessage utf8 = MailMessage.parse(bytes("Subject: grüße\r\n\r\n"));
    assertEquals(Optional.of("grüße"), utf8.header("subject"), "RFC 6532");
  }

  @Test
  void malformedHeaderSectionsSayWhere() throws Exception {
    MalformedMailException e =
        assertThrows(
            MalformedMailException.class,
            () -> MailMessage.parse(bytes("Subject: x\r\nno colon here\r\n\r\n")));
    assertEquals(12, e.offset());
    assertEquals(
        0,
        assertThrows(MalformedMailException.class, () -> MailMessage.parse(bytes(" lead\r\n")))
            .offset());
    assertThrows(MalformedMailException.class, () -> MailMessage.parse(bytes(": x\r\n")));
    assertThrows(
        MalformedMailException.class, () -> MailMessage.parse(bytes("Bad\u00e9Name: x\r\n")));
  }

  @Test
  void longFieldsAreFoldedAt78Characters() throws Exception {
    // RFC 5322 §2.1.1 and §2.2.3
    String value = "word ".repeat(40).trim();
    HeaderField f = HeaderField.of("Subject", value);
    String raw = new String(f.raw(), StandardCharsets.US_ASCII);
    for (String line : raw.split("\r\n")) {
      assertTrue(line.length() <= 78, line);
    }
    assertTrue(raw.contains("\r\n "));
    MailMessage back = MailMessage.parse(f.raw());
    assertEquals(Optional.of(value), back.header("subject"), "unfolding restores the value");
    String longWord = "x".repeat(100);
    HeaderField unbreakable = HeaderField.of("X-Long", longWord + " tail");
    assertEquals(
        "X-Long: " + longWord + "\r\n tail\r\n",
        new String(unbreakable.raw(), StandardCharsets.US_ASCII));
    assertThrows(IllegalArgumentException.class, () -> HeaderField.of("A:B", "x"));
    assertThrows(IllegalArgumentException.class, () -> HeaderField.of("A", "x\r\nBcc: y"));
  }

  @Test
  void prependAddsATraceFieldInFront() throws Exception {
    MailMessage m = MailMessage.parse(bytes("Subject: s\r\n\r\nb"));
    MailMessage t = m.prepend(HeaderField.of("Return-Path", "<a@b.test>"));
    assertEquals(
        "Return-Path: <a@b.test>\r\nSubject: s\r\n\r\nb",
        new String(t.bytes(), StandardCharsets.US_ASCII));
    assertEquals("b", new String(t.body(), StandardCharsets.US_ASCII));
    assertEquals(Optional.of("<a@b.test>"), t.header("return-path"));
  }
}
