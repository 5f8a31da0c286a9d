package dev.headend.mail.delivery;

import static dev.headend.mail.delivery.DeliveryQueueTest.NO;
import static dev.headend.mail.delivery.DeliveryQueueTest.T0;
import static dev.headend.mail.delivery.DeliveryQueueTest.message;
import static dev.headend.mail.delivery.DeliveryQueueTest.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.smtp.client.DsnRequest;
import dev.headend.mail.smtp.client.DsnRequest.Notify;
import dev.headend.mail.smtp.client.DsnRequest.Return;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A bounce honours the sender's RFC 3461 request (RFC 3464 report fields). */
class BounceDsnTest {

  private static String report(DsnRequest dsn) {
    OutgoingMessage m = message("no@b.test").withDsn(dsn);
    OutgoingMessage report =
        new Bounce(m, List.of(r("no@b.test", Status.PERM_FAILED, NO))).report("mx.a.test", T0);
    return report == null ? null : new String(report.content(), StandardCharsets.UTF_8);
  }

  @Test
  void envelopeIdAndOriginalRecipientComeBack() {
    String t =
        report(
            new DsnRequest(
                Return.HDRS, "q42", Set.of(Notify.FAILURE), Map.of("no@b.test", "list@a.test")));
    assertTrue(
        t.contains(
            "Content-Type: message/delivery-status\r\n\r\nOriginal-Envelope-Id: q42\r\n"
                + "Reporting-MTA: dns; mx.a.test\r\n"),
        t);
    assertTrue(
        t.contains(
            "\r\n\r\nOriginal-Recipient: rfc822; list@a.test\r\n"
                + "Final-Recipient: rfc822; no@b.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"),
        t);
    // RET=HDRS: the header only
    assertTrue(t.contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: s\r\n"), t);
    assertFalse(t.contains("body"), t);
  }

  @Test
  void retFullReturnsTheWholeMessage() {
    String t = report(new DsnRequest(Return.FULL, null, null, null));
    assertTrue(
        t.contains(
            "Content-Type: message/rfc822\r\n\r\nSubject: s\r\nMessage-ID: <1@a>\r\n\r\n"
                + "body\r\n"),
        t);
    assertFalse(t.contains("Original-Envelope-Id"), t);
    assertFalse(t.contains("Original-Recipient"), t);
  }

  @Test
  void retFullReturnsTheOctetsAsTheyWereUnderABoundaryTheyDoNotContain() {
    byte[] content =
        "Subject: s\r\n\r\ncaf\u00e9\r\n--=_headend_0--\r\nno line end"
            .getBytes(StandardCharsets.ISO_8859_1);
    OutgoingMessage m =
        new OutgoingMessage("alice@a.test", List.of("no@b.test"), content)
            .withDsn(new DsnRequest(Return.FULL, null, null, null));
    byte[] report =
        new Bounce(m, List.of(r("no@b.test", Status.PERM_FAILED, NO)))
            .report("mx.a.test", T0)
            .content();
    String t = new String(report, StandardCharsets.ISO_8859_1);
    assertTrue(
        t.contains(
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + new String(content, StandardCharsets.ISO_8859_1)
                + "\r\n\r\n--"),
        t);
    Matcher b = Pattern.compile("boundary=\"([^\"]+)\"").matcher(t);
    assertTrue(b.find(), t);
    String boundary = b.group(1);
    // three parts: the delimiter four times (three openings, one close), never inside a part
    assertEquals(4, t.split("\r\n--" + Pattern.quote(boundary), -1).length - 1, t);
    assertTrue(t.endsWith("\r\n--" + boundary + "--\r\n"), t);
  }

  @Test
  void theHeaderEndsAtTheFirstEmptyLineWhateverTheLineEnds() {
    assertEquals("Subject: s\n", ascii(Bounce.header(bytes("Subject: s\n\nbody\n"))));
    assertEquals("A: 1\r\nB: 2\r\n", ascii(Bounce.header(bytes("A: 1\r\nB: 2\r\n\r\nx\r\n"))));
    assertEquals("A: 1\r\n", ascii(Bounce.header(bytes("A: 1\r\n"))));
  }

  @Test
  void theQueueKeepsTheRequestForEveryAttemptAndItsBounce() {
    DsnRequest dsn = new DsnRequest(Return.HDRS, "q7", Set.of(Notify.FAILURE), null);
    DeliveryQueue q = DeliveryQueue.builder().build();
    q.submit(T0, message("later@b.test", "no@b.test").withDsn(dsn));
    DeliveryQueue.Attempt first = q.due(T0).get(0);
    assertEquals(dsn, first.message().dsn());
    q.report(
        T0,
        first,
        List.of(
            r("later@b.test", Status.TEMP_FAILED, DeliveryQueueTest.LATER),
            r("no@b.test", Status.PERM_FAILED, NO)));
    assertTrue(
        ascii(q.pollBounce().report("mx.a.test", T0).content())
            .contains("Original-Envelope-Id: q7\r\n"));
    DeliveryQueue.Attempt retry = q.due(q.pollTimeout()).get(0);
    assertEquals(List.of("later@b.test"), retry.message().recipients());
    assertEquals(dsn, retry.message().dsn());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String ascii(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void noReportUnlessFailuresAreAskedFor() {
    assertNull(report(new DsnRequest(null, null, Set.of(Notify.NEVER), null)));
    assertNull(report(new DsnRequest(null, null, Set.of(Notify.SUCCESS, Notify.DELAY), null)));
    assertTrue(
        report(new DsnRequest(null, null, Set.of(Notify.SUCCESS, Notify.FAILURE), null))
            .contains("Action: failed"));
    // no request: the default, failures are reported, the header returned
    String plain = report(null);
    assertTrue(plain.contains("Content-Type: text/rfc822-headers"), plain);
    assertEquals(1, plain.split("Final-Recipient", -1).length - 1);
  }
}
