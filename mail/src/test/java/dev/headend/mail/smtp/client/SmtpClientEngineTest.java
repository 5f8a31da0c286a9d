package dev.headend.mail.smtp.client;

import static dev.headend.mail.smtp.client.Dialog.EHLO_PIPE;
import static dev.headend.mail.smtp.client.Dialog.T0;
import static dev.headend.mail.smtp.client.Dialog.config;
import static dev.headend.mail.smtp.client.Dialog.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.smtp.client.RecipientResult.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpClientEngineTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void pipelinesMailRcptAndDataThenWaitsFor354() {
    Dialog d = new Dialog(config().build(), message("bob@b.test", "carol@b.test"));
    assertEquals("", d.drain());
    assertEquals("EHLO client.test\r\n", d.server("220 mx.test ESMTP\r\n"));
    assertEquals(
        "MAIL FROM:<alice@a.test> SIZE=22\r\nRCPT TO:<bob@b.test>\r\nRCPT TO:<carol@b.test>\r\n"
            + "DATA\r\n",
        d.server(EHLO_PIPE));
    assertEquals("", d.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 no such user\r\n"));
    assertEquals("Subject: hi\r\n\r\nhello\r\n.\r\n", d.server("354 go ahead\r\n"));
    assertEquals("QUIT\r\n", d.server("250 2.0.0 Ok: queued as X\r\n"));
    DeliveryResult r = d.result();
    assertNull(r.error());
    assertEquals(Status.ACCEPTED, r.recipients().get(0).status());
    assertEquals("2.0.0", r.recipients().get(0).reply().enhancedStatus());
    assertEquals(Status.PERM_FAILED, r.recipients().get(1).status());
    assertEquals("5.1.1", r.recipients().get(1).reply().enhancedStatus());
    assertFalse(d.engine.isClosed());
    d.server("221 2.0.0 Bye\r\n");
    assertTrue(d.engine.isClosed());
  }

  @Test
  void withoutPipeliningSendsOneCommandPerReply() {
    Dialog d = new Dialog(config().build(), message("bob@b.test", "carol@b.test"));
    d.server("220 mx.test\r\n");
    assertEquals("MAIL FROM:<alice@a.test>\r\n", d.server("250 mx.test\r\n"));
    assertEquals("RCPT TO:<bob@b.test>\r\n", d.server("250 ok\r\n"));
    assertEquals("RCPT TO:<carol@b.test>\r\n", d.server("451 4.2.1 try later\r\n"));
    assertEquals("DATA\r\n", d.server("250 ok\r\n"));
    assertTrue(d.server("354 go\r\n").endsWith("\r\n.\r\n"));
    d.server("250 ok\r\n");
    DeliveryResult r = d.result();
    assertEquals(Status.TEMP_FAILED, r.recipients().get(0).status());
    assertEquals("4.2.1", r.recipients().get(0).reply().enhancedStatus());
    assertEquals(Status.ACCEPTED, r.recipients().get(1).status());
  }

  @Test
  void ehloRefusedFallsBackToHelo() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 old.test\r\n");
    assertEquals("HELO client.test\r\n", d.server("502 5.5.1 unknown command\r\n"));
    assertEquals("MAIL FROM:<alice@a.test>\r\n", d.server("250 old.test\r\n"));
  }

  @Test
  void multiLineRepliesSplitAnywhereAreReassembled() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    String all = "220-mx.test\r\n220 welcome\r\n" + EHLO_PIPE;
    StringBuilder out = new StringBuilder();
    for (byte b : all.getBytes(StandardCharsets.UTF_8)) {
      d.engine.receive(d.now, ByteBuffer.wrap(new byte[] {b}));
      out.append(d.drain());
    }
    assertEquals(
        "EHLO client.test\r\nMAIL FROM:<alice@a.test> SIZE=22\r\nRCPT TO:<bob@b.test>\r\nDATA\r\n",
        out.toString());
  }

  @Test
  void smtpSinkEmptyLastEhloLineIsAccepted() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 smtp-sink\r\n");
    String out = d.server("250-smtp-sink\r\n250-PIPELINING\r\n250 \r\n");
    assertTrue(out.contains("RCPT TO:<bob@b.test>\r\nDATA\r\n"), out);
  }

  @Test
  void startTlsWhenOfferedThenEhloAgainThenAuthPlain() {
    Dialog d = new Dialog(config().auth("alice", "s3cret").build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    assertEquals("STARTTLS\r\n", d.server("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"));
    assertEquals("", d.server("220 2.0.0 ready\r\n"));
    assertTrue(d.events.get(0) instanceof SmtpClientEvent.StartTls);
    d.engine.tlsStarted(d.now);
    assertEquals("EHLO client.test\r\n", d.drain());
    assertEquals(
        "AUTH PLAIN " + b64("\0alice\0s3cret") + "\r\n",
        d.server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"));
    assertEquals("MAIL FROM:<alice@a.test>\r\n", d.server("235 2.7.0 ok\r\n"));
    d.server("250 ok\r\n250 ok\r\n");
    d.server("354 go\r\n");
    d.server("250 ok\r\n");
    assertTrue(d.result().tls());
    assertTrue(d.result().allAccepted());
  }

  @Test
  void authLoginWhenOnlyLoginIsOffered() {
    Dialog d =
        new Dialog(
            config()
                .auth("alice", "pw")
                .authWithoutTls(true)
                .tls(SmtpClientConfig.TlsPolicy.NEVER)
                .build(),
            message("bob@b.test"));
    d.server("220 mx\r\n");
    assertEquals("AUTH LOGIN\r\n", d.server("250-mx\r\n250-STARTTLS\r\n250 AUTH=LOGIN\r\n"));
    assertEquals(b64("alice") + "\r\n", d.server("334 VXNlcm5hbWU6\r\n"));
    assertEquals(b64("pw") + "\r\n", d.server("334 UGFzc3dvcmQ6\r\n"));
    assertEquals("MAIL FROM:<alice@a.test>\r\n", d.server("235 ok\r\n"));
  }

  @Test
  void credentialsNeverGoInClear() {
    Dialog d = new Dialog(config().auth("alice", "pw").build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    assertEquals("QUIT\r\n", d.server("250-mx\r\n250 AUTH PLAIN\r\n"));
    DeliveryResult r = d.result();
    assertEquals(SmtpClientError.AUTH_NEEDS_TLS, r.error());
    assertTrue(r.tryAnotherHost());
    assertEquals(Status.TEMP_FAILED, r.recipients().get(0).status());
  }

  @Test
  void wrongPasswordIsReportedWithTheServersReply() {
    Dialog d =
        new Dialog(config().auth("a", "b").authWithoutTls(true).build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server("250-mx\r\n250 AUTH PLAIN\r\n");
    assertEquals("QUIT\r\n", d.server("535 5.7.8 bad credentials\r\n"));
    assertEquals(SmtpClientError.REJECTED, d.result().error());
    assertEquals(535, d.result().reply().code());
  }

  @Test
  void requiredTlsNotOfferedFailsWithTypedError() {
    Dialog d =
        new Dialog(
            config().tls(SmtpClientConfig.TlsPolicy.REQUIRED).build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    assertEquals("QUIT\r\n", d.server(EHLO_PIPE));
    assertEquals(SmtpClientError.TLS_NOT_OFFERED, d.result().error());
    assertTrue(d.result().tryAnotherHost());
  }

  @Test
  void requiredTlsRefusedFails() {
    Dialog d =
        new Dialog(
            config().tls(SmtpClientConfig.TlsPolicy.REQUIRED).build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server("250-mx\r\n250 STARTTLS\r\n");
    assertEquals("QUIT\r\n", d.server("454 4.7.0 TLS not available\r\n"));
    assertEquals(SmtpClientError.TLS_FAILED, d.result().error());
  }

  @Test
  void opportunisticTlsRefusedGoesOnInClear() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server("250-mx\r\n250 STARTTLS\r\n");
    assertEquals("MAIL FROM:<alice@a.test>\r\n", d.server("454 4.7.0 TLS not available\r\n"));
  }

  @Test
  void plaintextInjectedAfterStartTlsReplyEndsTheSession() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server("250-mx\r\n250 STARTTLS\r\n");
    d.server("220 ready\r\n250 injected\r\n");
    assertTrue(d.engine.isClosed());
    assertEquals(SmtpClientError.PROTOCOL_ERROR, d.result().error());
  }

  @Test
  void utf8AddressNeedsSmtpUtf8() {
    OutgoingMessage m =
        new OutgoingMessage("alice@a.test", List.of("jürgen@b.test"), "x\r\n".getBytes());
    Dialog refused = new Dialog(config().build(), m);
    refused.server("220 mx\r\n");
    assertEquals("QUIT\r\n", refused.server(EHLO_PIPE));
    DeliveryResult r = refused.result();
    assertEquals(SmtpClientError.SMTPUTF8_NOT_OFFERED, r.error());
    assertTrue(r.permanent());
    assertEquals(Status.PERM_FAILED, r.recipients().get(0).status());
    assertEquals("5.6.7", r.recipients().get(0).reply().enhancedStatus());

    Dialog ok = new Dialog(config().build(), m);
    ok.server("220 mx\r\n");
    assertTrue(
        ok.server("250-mx\r\n250 SMTPUTF8\r\n")
            .startsWith("MAIL FROM:<alice@a.test> SMTPUTF8\r\n"));
  }

  @Test
  void eightBitContentDeclaresBody8BitMime() {
    OutgoingMessage m =
        new OutgoingMessage(
            "a@a.test", List.of("b@b.test"), "Subject: é\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    Dialog d = new Dialog(config().build(), m);
    d.server("220 mx\r\n");
    assertTrue(d.server(EHLO_PIPE).startsWith("MAIL FROM:<a@a.test> SIZE=15 BODY=8BITMIME\r\n"));
    Dialog no = new Dialog(config().build(), m);
    no.server("220 mx\r\n");
    no.server("250-mx\r\n250 PIPELINING\r\n");
    assertEquals(SmtpClientError.EIGHTBITMIME_NOT_OFFERED, no.result().error());
  }

  @Test
  void messageLargerThanSizeIsNotSent() {
    OutgoingMessage m = new OutgoingMessage("a@a.test", List.of("b@b.test"), new byte[20000]);
    Dialog d = new Dialog(config().build(), m);
    d.server("220 mx\r\n");
    assertEquals("QUIT\r\n", d.server(EHLO_PIPE));
    assertEquals(SmtpClientError.MESSAGE_TOO_BIG, d.result().error());
    assertEquals(Status.PERM_FAILED, d.result().recipients().get(0).status());
    assertEquals("5.3.4", d.result().recipients().get(0).reply().enhancedStatus());
  }

  @Test
  void contentIsDotStuffedWithCanonicalLineEnds() {
    byte[] content = ".hidden\r\n..two\nbare\rcr\r\n.\r\nlast".getBytes(StandardCharsets.UTF_8);
    Dialog d =
        new Dialog(config().build(), new OutgoingMessage("a@a.test", List.of("b@b"), content));
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    d.server("250 ok\r\n250 ok\r\n");
    assertEquals("..hidden\r\n...two\r\nbare\r\ncr\r\n..\r\nlast\r\n.\r\n", d.server("354 go\r\n"));
  }

  @Test
  void pipelinedMailRefusedDecidesEveryRecipient() {
    Dialog d = new Dialog(config().build(), message("bob@b.test", "carol@b.test"));
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    String out =
        d.server("452 4.3.1 insufficient storage\r\n503 5.5.1 no\r\n503 5.5.1 no\r\n354 go\r\n");
    assertEquals(".\r\n", out); // RFC 2920: DATA accepted regardless; send an empty message
    assertEquals("QUIT\r\n", d.server("554 5.5.1 no valid recipients\r\n"));
    for (RecipientResult r : d.result().recipients()) {
      assertEquals(Status.TEMP_FAILED, r.status());
      assertEquals(452, r.reply().code());
    }
  }

  @Test
  void dataRefusalAfterAcceptedRecipients() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    assertEquals("QUIT\r\n", d.server("250 ok\r\n250 ok\r\n554 5.3.0 no data\r\n"));
    assertEquals(Status.PERM_FAILED, d.result().recipients().get(0).status());
    assertTrue(d.result().permanent());
  }

  @Test
  void finalDotRefusalDecidesAcceptedRecipients() {
    Dialog d = new Dialog(config().build(), message("bob@b.test", "x@b.test"));
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    d.server("250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n");
    d.server("451 4.3.0 store failed\r\n");
    assertEquals(Status.TEMP_FAILED, d.result().recipients().get(0).status());
    assertEquals(451, d.result().recipients().get(0).reply().code());
    assertEquals(Status.PERM_FAILED, d.result().recipients().get(1).status());
  }

  @Test
  void greeting421IsRejectedAndTheSessionCloses() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("421 4.3.2 busy\r\n");
    assertTrue(d.engine.isClosed());
    assertEquals(SmtpClientError.REJECTED, d.result().error());
    assertTrue(d.result().tryAnotherHost());
  }

  @Test
  void greeting554IsPermanentRejection() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    assertEquals("QUIT\r\n", d.server("554 no service\r\n"));
    assertTrue(d.result().permanent());
  }

  @Test
  void garbageIsAProtocolError() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("HTTP/1.1 400 Bad Request\r\n");
    assertTrue(d.engine.isClosed());
    assertEquals(SmtpClientError.PROTOCOL_ERROR, d.result().error());
    assertEquals(Status.TEMP_FAILED, d.result().recipients().get(0).status());
  }

  @Test
  void endlessLineIsBounded() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    byte[] junk = new byte[1 << 20];
    java.util.Arrays.fill(junk, (byte) '2');
    d.engine.receive(d.now, ByteBuffer.wrap(junk));
    d.drain();
    assertTrue(d.engine.isClosed());
    assertEquals(SmtpClientError.PROTOCOL_ERROR, d.result().error());
  }

  @Test
  void changingCodeInsideMultiLineReplyIsAProtocolError() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220-mx\r\n250 oops\r\n");
    assertEquals(SmtpClientError.PROTOCOL_ERROR, d.result().error());
  }

  @Test
  void timeoutsFollowRfc5321() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    assertEquals(T0.plus(Duration.ofMinutes(5)), d.engine.pollTimeout());
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    d.server("250 ok\r\n250 ok\r\n");
    assertEquals(T0.plus(Duration.ofMinutes(2)), d.engine.pollTimeout()); // DATA initiation
    d.server("354 go\r\n");
    assertEquals(T0.plus(Duration.ofMinutes(13)), d.engine.pollTimeout()); // block + termination
    d.engine.handleTimeout(T0.plus(Duration.ofMinutes(12)));
    assertFalse(d.engine.isClosed());
    d.engine.handleTimeout(T0.plus(Duration.ofMinutes(13)));
    d.drain();
    assertTrue(d.engine.isClosed());
    assertEquals(SmtpClientError.TIMEOUT, d.result().error());
    assertEquals("4.4.2", d.result().recipients().get(0).reply().enhancedStatus());
  }

  @Test
  void greetingTimeout() {
    Dialog d = new Dialog(config().greetingTimeout(Duration.ofSeconds(30)).build(), message("b@b"));
    d.engine.handleTimeout(T0.plus(Duration.ofSeconds(30)));
    d.drain();
    assertEquals(SmtpClientError.TIMEOUT, d.result().error());
    assertNull(d.engine.pollTimeout());
  }

  @Test
  void connectionClosedMidSession() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.engine.endOfInput();
    d.drain();
    assertTrue(d.engine.isClosed());
    assertEquals(SmtpClientError.CONNECTION_CLOSED, d.result().error());
  }

  @Test
  void closeAfterQuitIsNormal() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    d.server("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
    d.engine.endOfInput();
    assertTrue(d.engine.isClosed());
    assertTrue(d.result().allAccepted());
    assertEquals(1, d.events.size());
  }

  @Test
  void quitReplyIsAwaitedBrieflyOnly() {
    Dialog d = new Dialog(config().build(), message("bob@b.test"));
    d.server("220 mx\r\n");
    d.server(EHLO_PIPE);
    d.server("250 ok\r\n250 ok\r\n354 go\r\n");
    assertEquals("QUIT\r\n", d.server("250 ok\r\n"));
    assertEquals(T0.plus(Duration.ofSeconds(30)), d.engine.pollTimeout());
    d.engine.handleTimeout(T0.plus(Duration.ofSeconds(30)));
    assertTrue(d.engine.isClosed());
    assertTrue(d.result().allAccepted(), "a silent QUIT does not change the result");
  }
}
