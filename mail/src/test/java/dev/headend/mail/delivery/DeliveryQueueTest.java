package dev.headend.mail.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.smtp.SmtpReply;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult;
import dev.headend.mail.smtp.client.RecipientResult.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryQueueTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "ok");
  static final SmtpReply LATER = SmtpReply.of(450, "4.2.0", "greylisted");
  static final SmtpReply NO = SmtpReply.of(550, "5.1.1", "no such user");

  static OutgoingMessage message(String... rcpts) {
    return new OutgoingMessage(
        "alice@a.test",
        List.of(rcpts),
        "Subject: s\r\nMessage-ID: <1@a>\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8));
  }

  static RecipientResult r(String rcpt, Status s, SmtpReply reply) {
    return new RecipientResult(rcpt, s, reply);
  }

  @Test
  void splitsRecipientsByDomainAndHandsEachAttemptOutOnce() {
    DeliveryQueue q = DeliveryQueue.builder().build();
    q.submit(T0, message("x@b.test", "y@c.test", "z@B.test"));
    List<DeliveryQueue.Attempt> due = q.due(T0);
    assertEquals(2, due.size());
    assertEquals("b.test", due.get(0).domain());
    assertEquals(List.of("x@b.test", "z@B.test"), due.get(0).message().recipients());
    assertEquals(List.of("y@c.test"), due.get(1).message().recipients());
    assertTrue(q.due(T0).isEmpty());
    assertNull(q.pollTimeout(), "in flight, nothing scheduled");
  }

  @Test
  void temporaryFailuresAreRetriedWithDoublingBackoff() {
    DeliveryQueue q =
        DeliveryQueue.builder()
            .firstRetry(Duration.ofMinutes(15))
            .maxRetryInterval(Duration.ofHours(1))
            .build();
    q.submit(T0, message("x@b.test"));
    Instant now = T0;
    List<Duration> gaps = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      DeliveryQueue.Attempt a = q.due(now).get(0);
      assertEquals(i + 1, a.attempt());
      q.report(now, a, List.of(r("x@b.test", Status.TEMP_FAILED, LATER)));
      Instant next = q.pollTimeout();
      gaps.add(Duration.between(now, next));
      assertTrue(q.due(next.minusSeconds(1)).isEmpty());
      now = next;
    }
    assertEquals(
        List.of(
            Duration.ofMinutes(15),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofHours(1)),
        gaps);
    assertNull(q.pollBounce());
  }

  @Test
  void acceptedAreDonePermanentBounceTemporaryRetryOnlyThemselves() {
    DeliveryQueue q = DeliveryQueue.builder().build();
    q.submit(T0, message("ok@b.test", "no@b.test", "later@b.test"));
    DeliveryQueue.Attempt a = q.due(T0).get(0);
    q.report(
        T0,
        a,
        List.of(
            r("ok@b.test", Status.ACCEPTED, OK),
            r("no@b.test", Status.PERM_FAILED, NO),
            r("later@b.test", Status.TEMP_FAILED, LATER)));
    Bounce b = q.pollBounce();
    assertNotNull(b);
    assertEquals(1, b.failed().size());
    assertEquals("no@b.test", b.failed().get(0).recipient());
    DeliveryQueue.Attempt retry = q.due(q.pollTimeout()).get(0);
    assertEquals(List.of("later@b.test"), retry.message().recipients());
    q.report(T0, retry, List.of(r("later@b.test", Status.ACCEPTED, OK)));
    assertEquals(0, q.size());
    assertNull(q.pollTimeout());
  }

  @Test
  void givesUpAfterTheLifetimeWithABounce() {
    DeliveryQueue q =
        DeliveryQueue.builder()
            .firstRetry(Duration.ofHours(1))
            .giveUpAfter(Duration.ofHours(3))
            .build();
    q.submit(T0, message("x@b.test"));
    Instant now = T0;
    while (q.size() > 0) {
      DeliveryQueue.Attempt a = q.due(now).get(0);
      q.report(now, a, List.of(r("x@b.test", Status.TEMP_FAILED, LATER)));
      if (q.pollTimeout() != null) {
        now = q.pollTimeout();
      }
    }
    Bounce b = q.pollBounce();
    assertEquals("5.4.7", b.failed().get(0).reply().enhancedStatus());
    assertTrue(b.failed().get(0).reply().toString().contains("greylisted"));
    assertTrue(!now.isBefore(T0.plus(Duration.ofHours(3))));
  }

  @Test
  void missingResultsCountAsTemporary() {
    DeliveryQueue q = DeliveryQueue.builder().build();
    q.submit(T0, message("x@b.test"));
    q.report(T0, q.due(T0).get(0), List.of());
    assertEquals(T0.plus(Duration.ofMinutes(15)), q.pollTimeout());
  }

  @Test
  void reportingTwiceIsRefused() {
    DeliveryQueue q = DeliveryQueue.builder().build();
    q.submit(T0, message("x@b.test"));
    DeliveryQueue.Attempt a = q.due(T0).get(0);
    q.report(T0, a, List.of(r("x@b.test", Status.ACCEPTED, OK)));
    assertThrows(IllegalArgumentException.class, () -> q.report(T0, a, List.of()));
  }

  @Test
  void bounceReportIsADeliveryStatusNotificationFromTheNullSender() {
    Bounce b = new Bounce(message("no@b.test"), List.of(r("no@b.test", Status.PERM_FAILED, NO)));
    OutgoingMessage dsn = b.report("mx.a.test", T0);
    assertEquals("", dsn.sender());
    assertEquals(List.of("alice@a.test"), dsn.recipients());
    String text = new String(dsn.content(), StandardCharsets.UTF_8);
    assertTrue(text.contains("report-type=delivery-status"), text);
    assertTrue(text.contains("Final-Recipient: rfc822; no@b.test\r\nAction: failed\r\n"), text);
    assertTrue(text.contains("Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 no such user"), text);
    assertTrue(text.contains("Message-ID: <1@a>"), text);
    OutgoingMessage bounceOfBounce = new Bounce(dsn, b.failed()).report("mx.a.test", T0);
    assertNull(bounceOfBounce, "a bounce is never bounced");
  }

  @Test
  void aStaleAttemptCannotBeReportedAfterItsRetryWasHandedOut() {
    DeliveryQueue q = DeliveryQueue.builder().build();
    q.submit(T0, message("x@b.test"));
    DeliveryQueue.Attempt first = q.due(T0).get(0);
    q.report(T0, first, List.of(r("x@b.test", Status.TEMP_FAILED, LATER)));
    DeliveryQueue.Attempt second = q.due(q.pollTimeout()).get(0);
    assertThrows(
        IllegalArgumentException.class,
        () -> q.report(T0, first, List.of(r("x@b.test", Status.ACCEPTED, OK))));
    q.report(T0, second, List.of(r("x@b.test", Status.ACCEPTED, OK)));
    assertEquals(0, q.size());
  }
}
