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
            "\r\n\r\nOriginal-Recipient: rfc822;list@a.test\r\n"
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
