package dev.headend.mail.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SmtpServerEngineTest {
  private static final String MAIL = "MAIL FROM:<alice@sender.test>\r\n";
  private static final String RCPT = "RCPT TO:<bob@example.test>\r\n";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static Authenticator users() {
    return (u, p) -> u.equals("bob") && p.equals("secret");
  }

  @Test
  void greetingIs220WithTheHostname() {
    Session s = new Session(Session.config().build());
    assertEquals("220 mx.example.test ESMTP headend\r\n", s.output());
  }

  @Test
  void ehloAdvertisesTheExtensionsButNotStartTlsOrAuthUnlessConfigured() {
    Session s = new Session(Session.config().build());
    s.output();
    String r = s.send("EHLO client.test\r\n");
    assertEquals(
        "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
            + "250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n",
        r);
  }

  @Test
  void heloGetsAPlainReplyAndNeedsADomain() {
    Session s = new Session(Session.config().build());
    s.output();
    assertEquals("501 5.5.4 Syntax: HELO hostname\r\n", s.send("HELO\r\n"));
    assertEquals("250 mx.example.test\r\n", s.send("HELO client.test\r\n"));
    // RFC 1869: parameters on MAIL need EHLO
    assertTrue(s.send("MAIL FROM:<a@b.test> SIZE=10\r\n").startsWith("555 5.5.4"));
  }

  @Test
  void rejectsRcptBeforeMail() {
    Session s = new Session(Session.config().build()).hello();
    s.output();
    assertEquals("503 5.5.1 Error: need MAIL command\r\n", s.send(RCPT));
  }

  @Test
  void rejectsMailBeforeHelo() {
    Session s = new Session(Session.config().build());
    s.output();
    assertTrue(s.send(MAIL).startsWith("503 5.5.1"));
  }

  @Test
  void rejectsNestedMail() {
    Session s = new Session(Session.config().build()).hello();
    assertEquals("250 2.1.0 Ok\r\n", s.send(MAIL));
    assertEquals("503 5.5.1 Error: nested MAIL command\r\n", s.send(MAIL));
  }

  @Test
  void rejectsDataWithoutMailAndWithoutRecipients() {
    Session s = new Session(Session.config().build()).hello();
    assertTrue(s.send("DATA\r\n").startsWith("503 5.5.1"));
    s.send(MAIL);
    // RFC 5321 §3.3 / RFC 2920 §3.1: DATA with no valid recipient is 554
    assertEquals("554 5.5.1 Error: no valid recipients\r\n", s.send("DATA\r\n"));
  }

  @Test
  void unknownCommandIs500AndBadSyntaxIs501() {
    Session s = new Session(Session.config().build()).hello();
    assertEquals("500 5.5.1 Error: command not recognized\r\n", s.send("FROB\r\n"));
    assertTrue(s.send("MAIL FROM:alice@sender.test\r\n").startsWith("501 5.1.7"));
    assertTrue(s.send("MAIL FROM:<alice@@sender.test>\r\n").startsWith("501"));
    assertTrue(s.send("MAIL FROM:<alice@sender.test>x\r\n").startsWith("501"));
    assertTrue(s.send(MAIL).startsWith("250"));
    assertTrue(s.send("RCPT TO:<bob>\r\n").startsWith("501 5.1.3"));
    assertTrue(s.send("RSET now\r\n").startsWith("501"));
  }

  @Test
  void commandVerbsAreCaseInsensitiveAndASpaceAfterTheColonIsTolerated() {
    Session s = new Session(Session.config().build());
    s.send("ehlo client.test\r\n");
    assertEquals("250 2.1.0 Ok\r\n", s.send("mail from: <alice@sender.test>\r\n"));
    assertEquals("250 2.1.5 Ok\r\n", s.send("rcpt to: <bob@EXAMPLE.test>\r\n"));
  }

  @Test
  void acceptsTheNullReversePath() {
    Session s = new Session(Session.config().build()).hello();
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<>\r\n"));
    assertTrue(s.send("RCPT TO:<>\r\n").startsWith("501"));
  }

  @Test
  void acceptsPostmasterWithoutADomain() {
    // RFC 5321 §4.5.1: <Postmaster> must be accepted
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL);
    assertEquals("250 2.1.5 Ok\r\n", s.send("RCPT TO:<Postmaster>\r\n"));
  }

  @Test
  void acceptsAndIgnoresASourceRoute() {
    // RFC 5321 §4.1.2 / appendix C: the route is accepted and ignored
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL);
    assertEquals("250 2.1.5 Ok\r\n", s.send("RCPT TO:<@relay.test,@b.test:bob@example.test>\r\n"));
    s.send("DATA\r\n");
    s.send("x\r\n.\r\n");
    assertEquals("bob@example.test", s.messages.get(0).envelope().recipients().get(0));
  }

  @Test
  void dataRemovesTheTransparencyDot() {
    // RFC 5321 §4.5.2
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT);
    assertTrue(s.send("DATA\r\n").startsWith("354 "));
    String r = s.send("Subject: t\r\n\r\n..hidden\r\n...\r\nend\r\n.\r\n");
    assertEquals("250 2.0.0 Ok: queued as Q1\r\n", r);
    assertEquals("Subject: t\r\n\r\n.hidden\r\n..\r\nend\r\n", Session.body(s.messages.get(0)));
  }

  @Test
  void anEmptyMessageIsJustTheTerminator() {
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT + "DATA\r\n");
    s.send(".\r\n");
    assertEquals("", Session.body(s.messages.get(0)));
  }

  @Test
  void theTerminatorIsFoundWhenSplitAcrossEveryByte() {
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT + "DATA\r\n");
    byte[] data = "a\r\n.b\r\n\r\n.\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII);
    StringBuilder replies = new StringBuilder();
    for (byte b : data) {
      replies.append(s.send(new byte[] {b}));
    }
    assertEquals("250 2.0.0 Ok: queued as Q1\r\n250 2.0.0 Ok\r\n", replies.toString());
    assertEquals("a\r\nb\r\n\r\n", Session.body(s.messages.get(0)));
  }

  @Test
  void bareLineFeedsNeverEndTheData() {
    // only <CRLF>.<CRLF> ends DATA: "\n.\n" and "\r\n.\n" are content (no SMTP smuggling)
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT + "DATA\r\n");
    assertEquals("", s.send("a\n.\nMAIL FROM:<evil@x.test>\r\n.\nb\r\n"));
    assertEquals("250 2.0.0 Ok: queued as Q1\r\n", s.send(".\r\n"));
    // the dot that starts ".\nb" is a transparency dot and goes; the line did not end the data
    assertEquals("a\n.\nMAIL FROM:<evil@x.test>\r\n\nb\r\n", Session.body(s.messages.get(0)));
  }

  @Test
  void theReplyToDataWaitsForTheStoreAndPipelinedCommandsWaitBehindIt() {
    Session s = new Session(Session.config().build()).hello();
    s.autoAccept = false;
    s.send(MAIL + RCPT + "DATA\r\n");
    ByteBuffer rest = s.feed("hi\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals("", s.drain());
    assertEquals(1, s.messages.size());
    assertEquals("QUIT\r\n", StandardCharsets.US_ASCII.decode(rest.slice()).toString());
    assertNull(s.engine.pollTimeout(), "no timeout while the application stores");
    s.engine.messageAccepted(s.now, "Q9");
    assertEquals("250 2.0.0 Ok: queued as Q9\r\n", s.output());
    assertEquals("221 2.0.0 mx.example.test Bye\r\n", s.send("QUIT\r\n"));
    assertTrue(s.engine.isClosed());
  }

  @Test
  void aRejectedMessageGetsTheApplicationsReply() {
    Session s = new Session(Session.config().build()).hello();
    s.autoAccept = false;
    s.send(MAIL + RCPT + "DATA\r\nhi\r\n.\r\n");
    assertThrows(
        IllegalArgumentException.class,
        () -> s.engine.messageRejected(s.now, SmtpReply.of(250, "2.0.0", "no")));
    s.engine.messageRejected(s.now, SmtpReply.of(451, "4.3.0", "store failed"));
    assertEquals("451 4.3.0 store failed\r\n", s.output());
    assertThrows(IllegalStateException.class, () -> s.engine.messageAccepted(s.now, "x"));
    assertTrue(s.send(RCPT).startsWith("503"), "the transaction is over");
  }

  @Test
  void pipelinedCommandsAreAllAnsweredInOrderInOneBatch() {
    // RFC 2920 §3.1: every command in the buffer is processed, replies in order
    Session s = new Session(Session.config().build()).hello();
    ByteBuffer in =
        s.feed(
            (MAIL + "RCPT TO:<bob@example.test>\r\nRCPT TO:<x@elsewhere.test>\r\nDATA\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    assertFalse(in.hasRemaining());
    ByteBuffer batch = s.engine.pollOutput();
    assertNull(s.engine.pollOutput(), "one batch");
    assertEquals(
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.7.1 Error: relaying denied\r\n"
            + "354 End data with <CR><LF>.<CR><LF>\r\n",
        StandardCharsets.US_ASCII.decode(batch).toString());
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMail() {
    // RFC 1870 §6.1
    Session s = new Session(Session.config().maxMessageSize(1000).build()).hello();
    assertEquals(
        "552 5.3.4 Message size exceeds fixed maximum message size\r\n",
        s.send("MAIL FROM:<a@b.test> SIZE=1001\r\n"));
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<a@b.test> SIZE=1000\r\n"));
    s.send("RSET\r\n");
    assertTrue(s.send("MAIL FROM:<a@b.test> SIZE=lots\r\n").startsWith("501"));
  }

  @Test
  void actualSizeIsEnforcedDuringDataWithoutBufferingTheExcess() {
    // RFC 1870 §6.3: a message bigger than the limit gets 552 after the terminator
    Session s = new Session(Session.config().maxMessageSize(1000).build()).hello();
    s.send(MAIL + RCPT + "DATA\r\n");
    byte[] line =
        "0123456789012345678901234567890123456789\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 100_000; i++) { // 4.2 MB in 42-byte pieces
      assertEquals("", s.send(line));
    }
    assertEquals("552 5.3.4 Message size exceeds fixed maximum message size\r\n", s.send(".\r\n"));
    assertTrue(s.messages.isEmpty());
    assertEquals("250 2.1.0 Ok\r\n", s.send(MAIL), "the transaction was reset");
  }

  @Test
  void aCommandLineLongerThan512OctetsIsRefusedAndTheSessionGoesOn() {
    // RFC 5321 §4.5.3.1.4
    Session s = new Session(Session.config().build()).hello();
    String noop509 = "NOOP " + "x".repeat(505); // 510 + CRLF = 512
    assertEquals("250 2.0.0 Ok\r\n", s.send(noop509 + "\r\n"));
    assertEquals("500 5.5.2 Error: line too long\r\n", s.send(noop509 + "x\r\n"));
    assertEquals("250 2.0.0 Ok\r\n", s.send("NOOP\r\n"));
  }

  @Test
  void anEndlessLineIsConsumedWithBoundedMemoryAndRefused() {
    Session s = new Session(Session.config().build()).hello();
    byte[] chunk = new byte[1 << 16];
    Arrays.fill(chunk, (byte) 'A');
    for (int i = 0; i < 160; i++) { // 10 MiB without a line end
      ByteBuffer left = s.feed(chunk);
      assertFalse(left.hasRemaining(), "input is consumed, not pushed back");
    }
    assertEquals("500 5.5.2 Error: line too long\r\n", s.send("\r\n"));
  }

  @Test
  void aTextLineLongerThan1000OctetsFailsTheMessage() {
    // RFC 5321 §4.5.3.1.6
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT + "DATA\r\n");
    s.send("x".repeat(998) + "\r\n"); // 1000 with CRLF: fine
    s.send("y".repeat(999) + "\r\n");
    assertTrue(s.send(".\r\n").startsWith("554 5.6.0"));
    assertTrue(s.messages.isEmpty());
    Session unlimited = new Session(Session.config().maxTextLine(0).build()).hello();
    unlimited.send(MAIL + RCPT + "DATA\r\n" + "y".repeat(5000) + "\r\n.\r\n");
    assertEquals(1, unlimited.messages.size());
  }

  @Test
  void theHundredAndFirstRecipientGets452() {
    // RFC 5321 §4.5.3.1.8 / §4.5.3.1.10
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL);
    for (int i = 0; i < 100; i++) {
      assertEquals("250 2.1.5 Ok\r\n", s.send("RCPT TO:<u" + i + "@example.test>\r\n"));
    }
    assertEquals(
        "452 4.5.3 Error: too many recipients\r\n", s.send("RCPT TO:<u100@example.test>\r\n"));
  }

  @Test
  void noOpenRelayForeignDomainsNeedAuthOrARelayNetwork() {
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL);
    assertEquals("550 5.7.1 Error: relaying denied\r\n", s.send("RCPT TO:<x@elsewhere.test>\r\n"));
    Session lan =
        new Session(
                Session.config().relayNetworks(IpPrefix.parse("192.0.2.0/24")).build(),
                new InetSocketAddress("192.0.2.7", 1234))
            .hello();
    lan.send(MAIL);
    assertEquals("250 2.1.5 Ok\r\n", lan.send("RCPT TO:<x@elsewhere.test>\r\n"));
    Session authed =
        new Session(Session.config().authenticator(users()).authWithoutTls(true).build()).hello();
    authed.send("AUTH PLAIN " + b64("\0bob\0secret") + "\r\n");
    authed.send(MAIL);
    assertEquals("250 2.1.5 Ok\r\n", authed.send("RCPT TO:<x@elsewhere.test>\r\n"));
    assertEquals("bob", authed.engine.authenticatedUser());
  }

  @Test
  void utf8AddressesNeedSmtpUtf8() {
    // RFC 6531 §3.4
    Session s = new Session(Session.config().localDomains("bücher.test").build()).hello();
    assertTrue(s.send("MAIL FROM:<jörg@sender.test>\r\n").startsWith("553 5.6.7"));
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<a@sender.test>\r\n"));
    assertTrue(s.send("RCPT TO:<björn@bücher.test>\r\n").startsWith("553 5.6.7"));
    s.send("RSET\r\n");
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<jörg@sender.test> SMTPUTF8\r\n"));
    assertEquals("250 2.1.5 Ok\r\n", s.send("RCPT TO:<björn@bücher.test>\r\n"));
    s.send("DATA\r\nhi\r\n.\r\n");
    SmtpEvent.MessageReceived m = s.messages.get(0);
    assertTrue(m.envelope().smtpUtf8());
    assertEquals("björn@bücher.test", m.envelope().recipients().get(0));
    assertTrue(new String(m.content(), StandardCharsets.UTF_8).contains("with UTF8SMTP id"));
  }

  @Test
  void invalidUtf8InACommandIsASyntaxError() {
    Session s = new Session(Session.config().build()).hello();
    byte[] bad = {'N', 'O', 'O', 'P', ' ', (byte) 0xC3, (byte) 0x28, '\r', '\n'};
    assertEquals("500 5.5.2 Error: invalid characters in command\r\n", s.send(bad));
    assertTrue(s.send("NOOP\0\r\n").startsWith("500 5.5.2"));
  }

  @Test
  void bodyParameterAcceptsSevenBitAnd8BitMimeOnly() {
    // RFC 6152
    Session s = new Session(Session.config().build()).hello();
    assertTrue(s.send("MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n").startsWith("501"));
    assertTrue(s.send("MAIL FROM:<a@b.test> FROB=1\r\n").startsWith("555 5.5.4"));
    assertTrue(s.send("MAIL FROM:<a@b.test> SIZE=1 SIZE=1\r\n").startsWith("501"));
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<a@b.test> BODY=8BITMIME\r\n"));
    s.send(RCPT + "DATA\r\n");
    s.send(new byte[] {(byte) 0xE9, '\r', '\n', '.', '\r', '\n'});
    assertEquals("8BITMIME", s.messages.get(0).envelope().body());
    assertTrue(s.send("RCPT TO:<bob@example.test> NOTIFY=NEVER\r\n").startsWith("503"));
  }

  @Test
  void dataReadFromDirectAndReadOnlyBuffersIsTheSameAsFromArrays() {
    String content =
        "Subject: t\r\n\r\n..leading dot\r\nbare\rCR and bare\nLF\r\n"
            + ("x".repeat(900) + "\r\n").repeat(3)
            + ".\r\n";
    byte[] bytes = content.getBytes(StandardCharsets.US_ASCII);
    String expected = null;
    for (int kind = 0; kind < 3; kind++) {
      Session s = new Session(Session.config().build()).hello();
      s.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
      for (int at = 0; at < bytes.length; at += 700) { // in pieces, ends anywhere
        byte[] piece = Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 700));
        ByteBuffer b =
            switch (kind) {
              case 0 -> ByteBuffer.wrap(piece);
              case 1 -> ByteBuffer.allocateDirect(piece.length).put(piece).flip();
              default -> ByteBuffer.wrap(piece).asReadOnlyBuffer();
            };
        s.engine.receive(s.now, b);
        assertFalse(b.hasRemaining(), "all consumed");
        s.drain();
      }
      String body = Session.body(s.messages.get(0));
      if (expected == null) {
        expected = body;
        assertTrue(body.startsWith("Subject: t\r\n\r\n.leading dot\r\nbare\rCR"), body);
      } else {
        assertEquals(expected, body, "buffer kind " + kind);
      }
    }
  }

  @Test
  void bdatChunksMakeOneMessageWithoutDotStuffing() {
    // RFC 3030 §2
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT);
    assertEquals("250 2.0.0 5 octets received\r\n", s.send("BDAT 5\r\n.a\r\nb"));
    assertEquals("250 2.0.0 Ok: queued as Q1\r\n", s.send("BDAT 3 LAST\r\n\r\n."));
    assertEquals(".a\r\nb\r\n.", Session.body(s.messages.get(0)));
    assertEquals("250 2.1.0 Ok\r\n", s.send(MAIL), "BDAT LAST ends the transaction");
  }

  @Test
  void bdatZeroLastEndsTheMessage() {
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT + "BDAT 2\r\nhi");
    assertEquals("250 2.0.0 Ok: queued as Q1\r\n", s.send("BDAT 0 LAST\r\n"));
    assertEquals("hi", Session.body(s.messages.get(0)));
  }

  @Test
  void bdatWithoutATransactionStillConsumesItsChunk() {
    // RFC 3030 §2: the chunk is read and discarded even when the command fails
    Session s = new Session(Session.config().build()).hello();
    assertEquals(
        "503 5.5.1 Error: need MAIL command\r\n250 2.0.0 Ok\r\n",
        s.send("BDAT 12 LAST\r\nQUIT\r\nQUIT\r\nNOOP\r\n"));
    assertFalse(s.engine.isClosed());
    s.send(MAIL);
    assertEquals(
        "554 5.5.1 Error: no valid recipients\r\n250 2.0.0 Ok\r\n",
        s.send("BDAT 3\r\nabcNOOP\r\n"));
  }

  @Test
  void dataDuringBdatAndBdatOverTheLimitAreRefused() {
    Session s = new Session(Session.config().maxMessageSize(10).build()).hello();
    s.send(MAIL + RCPT + "BDAT 2\r\nhi");
    assertTrue(s.send("DATA\r\n").startsWith("503 5.5.1"));
    assertTrue(s.send("RCPT TO:<c@example.test>\r\n").startsWith("503 5.5.1"));
    assertEquals(
        "552 5.3.4 Message size exceeds fixed maximum message size\r\n",
        s.send("BDAT 9 LAST\r\n123456789"));
    assertTrue(s.messages.isEmpty());
    assertTrue(s.send("BDAT x\r\n").startsWith("501 5.5.4"));
  }

  @Test
  void rsetEndsTheTransaction() {
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT);
    assertEquals("250 2.0.0 Ok\r\n", s.send("RSET\r\n"));
    assertTrue(s.send(RCPT).startsWith("503"));
  }

  @Test
  void noopHelpVrfyAndExpn() {
    Session s = new Session(Session.config().build()).hello();
    assertEquals("250 2.0.0 Ok\r\n", s.send("NOOP\r\n"));
    assertTrue(s.send("HELP\r\n").startsWith("214 2.0.0"));
    // RFC 5321 §3.5.3: 252 when the server will not verify
    assertTrue(s.send("VRFY bob\r\n").startsWith("252 2.5.0"));
    assertTrue(s.send("VRFY\r\n").startsWith("501"));
    assertTrue(s.send("EXPN staff\r\n").startsWith("502 5.5.1"));
    SmtpPolicy vrfy =
        new SmtpPolicy() {
          @Override
          public SmtpReply verify(SessionInfo session, String argument) {
            return SmtpReply.of(550, "5.1.1", "no such user " + argument);
          }
        };
    Session strict = new Session(Session.config().policy(vrfy).build()).hello();
    assertEquals("550 5.1.1 no such user bob\r\n", strict.send("VRFY bob\r\n"));
  }

  @Test
  void quitIs221AndCloses() {
    Session s = new Session(Session.config().build()).hello();
    assertEquals("221 2.0.0 mx.example.test Bye\r\n", s.send("QUIT\r\nNOOP\r\n"));
    assertTrue(s.engine.isClosed());
    assertEquals("", s.send("NOOP\r\n"));
  }

  @Test
  void policyHooksSeeSenderRecipientAndMessage() {
    SmtpPolicy policy =
        new SmtpPolicy() {
          @Override
          public SmtpReply checkSender(SessionInfo session, String sender) {
            return sender.endsWith("@spam.test") ? SmtpReply.of(550, "5.7.1", "no spam") : null;
          }

          @Override
          public SmtpReply checkRecipient(
              SessionInfo session, String sender, String recipient, boolean local) {
            return recipient.startsWith("gone@")
                ? SmtpReply.of(550, "5.1.1", "mailbox unavailable")
                : null;
          }

          @Override
          public SmtpReply checkMessage(Envelope envelope, byte[] content) {
            return new String(content, StandardCharsets.UTF_8).contains("VIRUS")
                ? SmtpReply.of(554, "5.7.0", "infected")
                : null;
          }
        };
    Session s = new Session(Session.config().policy(policy).build()).hello();
    assertEquals("550 5.7.1 no spam\r\n", s.send("MAIL FROM:<x@spam.test>\r\n"));
    s.send(MAIL);
    assertEquals("550 5.1.1 mailbox unavailable\r\n", s.send("RCPT TO:<gone@example.test>\r\n"));
    s.send(RCPT + "DATA\r\n");
    assertEquals("554 5.7.0 infected\r\n", s.send("VIRUS\r\n.\r\n"));
    assertTrue(s.messages.isEmpty());
  }

  @Test
  void receivedTraceHeaderIsPrepended() {
    // RFC 5321 §4.4
    Session s = new Session(Session.config().build()).hello();
    s.send(MAIL + RCPT + "DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n");
    String content = new String(s.messages.get(0).content(), StandardCharsets.UTF_8);
    assertEquals(
        "Received: from client.test ([127.0.0.1])\r\n"
            + "\tby mx.example.test (headend) with ESMTP id c1.1\r\n"
            + "\tfor <bob@example.test>; Thu, 1 Jan 2026 00:00:00 +0000\r\n"
            + "Subject: x\r\n\r\nhi\r\n",
        content);
    assertEquals("c1.1", s.messages.get(0).envelope().id());
    s.send("HELO weird(name\r\n" + MAIL + RCPT + "RCPT TO:<c@example.test>\r\nDATA\r\nx\r\n.\r\n");
    String second = new String(s.messages.get(1).content(), StandardCharsets.UTF_8);
    assertTrue(
        second.startsWith(
            "Received: from [127.0.0.1] (helo=weird?name)\r\n"
                + "\tby mx.example.test (headend) with SMTP id c1.2; "),
        second);
  }

  @Test
  void startTlsHandsOverAndResetsTheSession() {
    // RFC 3207 §4.2
    Session s = new Session(Session.config().startTls(true).authenticator(users()).build()).hello();
    s.output();
    assertTrue(s.send("EHLO client.test\r\n").contains("250 STARTTLS\r\n"));
    s.send(MAIL);
    assertEquals("220 2.0.0 Ready to start TLS\r\n", s.send("STARTTLS\r\n"));
    assertInstanceOf(SmtpEvent.StartTls.class, s.events.get(0));
    ByteBuffer left = s.feed("EHLO x\r\n".getBytes(StandardCharsets.US_ASCII));
    assertTrue(left.hasRemaining(), "nothing is read before the handshake completes");
    assertNull(s.engine.pollTimeout());
    s.engine.tlsStarted(s.now);
    assertTrue(s.engine.isTls());
    assertTrue(s.send(RCPT).startsWith("503"), "the transaction from before TLS is gone");
    assertTrue(s.send("MAIL FROM:<a@b.test>\r\n").startsWith("503"), "so is the EHLO");
    String ehlo = s.send("EHLO client.test\r\n");
    assertFalse(ehlo.contains("STARTTLS"));
    assertTrue(ehlo.contains("250 AUTH PLAIN LOGIN\r\n"));
    assertTrue(s.send("STARTTLS\r\n").startsWith("503"));
  }

  @Test
  void aCommandPipelinedAfterStartTlsIsAProtocolError() {
    // RFC 3207 §5 / CVE-2011-0411: commands injected in clear must not survive the upgrade
    Session s = new Session(Session.config().startTls(true).build()).hello();
    String r = s.send("STARTTLS\r\nMAIL FROM:<evil@x.test>\r\n");
    assertEquals("554 5.5.1 Error: command pipelined after STARTTLS\r\n", r);
    assertTrue(s.engine.isClosed());
    assertTrue(s.events.isEmpty());
  }

  @Test
  void startTlsIsRefusedWhenNotOffered() {
    Session s = new Session(Session.config().build()).hello();
    assertTrue(s.send("STARTTLS\r\n").startsWith("502 5.5.1"));
  }

  @Test
  void authIsNotOfferedInClearByDefault() {
    // RFC 4954 §4: 538 when the mechanism needs encryption
    Session s = new Session(Session.config().authenticator(users()).build());
    s.output();
    assertFalse(s.send("EHLO c.test\r\n").contains("AUTH"));
    assertEquals(
        "538 5.7.11 Encryption required for requested authentication mechanism\r\n",
        s.send("AUTH PLAIN " + b64("\0bob\0secret") + "\r\n"));
    Session implicit =
        new Session(Session.config().authenticator(users()).implicitTls(true).build());
    assertTrue(implicit.send("EHLO c.test\r\n").contains("AUTH PLAIN LOGIN"));
    assertTrue(implicit.engine.isTls());
  }

  @Test
  void authPlainWithInitialResponseAndWithAChallenge() {
    // RFC 4954 §4, RFC 4616
    SmtpServerConfig c = Session.config().authenticator(users()).authWithoutTls(true).build();
    Session s = new Session(c).hello();
    assertEquals(
        "535 5.7.8 Authentication credentials invalid\r\n",
        s.send("AUTH PLAIN " + b64("\0bob\0wrong") + "\r\n"));
    assertEquals(
        "535 5.7.8 Authentication credentials invalid\r\n",
        s.send("AUTH PLAIN " + b64("eve\0bob\0secret") + "\r\n"));
    assertEquals("334 \r\n", s.send("AUTH PLAIN\r\n"));
    assertEquals(
        "235 2.7.0 Authentication successful\r\n", s.send(b64("bob\0bob\0secret") + "\r\n"));
    assertTrue(s.send("AUTH PLAIN\r\n").startsWith("503 5.5.1"));
    s.send(MAIL + RCPT + "DATA\r\nx\r\n.\r\n");
    assertEquals("bob", s.messages.get(0).envelope().authenticatedUser());
    assertTrue(
        new String(s.messages.get(0).content(), StandardCharsets.UTF_8).contains("ESMTPA id"));
  }

  @Test
  void authLoginPromptsForUsernameAndPassword() {
    SmtpServerConfig c = Session.config().authenticator(users()).authWithoutTls(true).build();
    Session s = new Session(c).hello();
    assertEquals("334 VXNlcm5hbWU6\r\n", s.send("AUTH LOGIN\r\n"));
    assertEquals("334 UGFzc3dvcmQ6\r\n", s.send(b64("bob") + "\r\n"));
    assertEquals("235 2.7.0 Authentication successful\r\n", s.send(b64("secret") + "\r\n"));
    Session initial = new Session(c).hello();
    assertEquals("334 UGFzc3dvcmQ6\r\n", initial.send("AUTH LOGIN " + b64("bob") + "\r\n"));
    assertEquals("535 5.7.8 Authentication credentials invalid\r\n", initial.send("eA==\r\n"));
  }

  @Test
  void authCanBeCancelledAndBadBase64IsRefused() {
    SmtpServerConfig c = Session.config().authenticator(users()).authWithoutTls(true).build();
    Session s = new Session(c).hello();
    s.send("AUTH PLAIN\r\n");
    assertEquals("501 5.0.0 Authentication aborted\r\n", s.send("*\r\n"));
    assertTrue(s.send("AUTH PLAIN !!!\r\n").startsWith("501 5.5.2"));
    assertTrue(s.send("AUTH CRAM-MD5\r\n").startsWith("504 5.5.4"));
    s.send("AUTH LOGIN\r\n");
    assertTrue(s.send("x".repeat(13000) + "\r\n").startsWith("500 5.5.6"));
    assertEquals("250 2.0.0 Ok\r\n", s.send("NOOP\r\n"), "back to commands");
  }

  @Test
  void submissionRequiresAuthBeforeMail() {
    // RFC 6409 §4.3 / RFC 4954 §6
    SmtpServerConfig c =
        Session.config().submission(true).authenticator(users()).authWithoutTls(true).build();
    Session s = new Session(c).hello();
    assertEquals("530 5.7.0 Authentication required\r\n", s.send(MAIL));
    s.send("AUTH PLAIN " + b64("\0bob\0secret") + "\r\n");
    assertEquals("250 2.1.0 Ok\r\n", s.send(MAIL));
    assertThrows(
        IllegalStateException.class, () -> SmtpServerConfig.builder("h").submission(true).build());
  }

  @Test
  void tooManyErrorsEndTheSessionWith421() {
    Session s = new Session(Session.config().maxErrors(3).build()).hello();
    s.send("FROB\r\nFROB\r\n");
    assertFalse(s.engine.isClosed());
    String r = s.send("FROB\r\nNOOP\r\n");
    assertEquals(
        "500 5.5.1 Error: command not recognized\r\n"
            + "421 4.7.0 mx.example.test Error: too many errors\r\n",
        r);
    assertTrue(s.engine.isClosed());
  }

  @Test
  void commandAndDataTimeoutsCloseWith421() {
    // RFC 5321 §4.5.3.2
    SmtpServerConfig c =
        Session.config()
            .commandTimeout(Duration.ofMinutes(5))
            .dataTimeout(Duration.ofMinutes(3))
            .build();
    Session s = new Session(c).hello();
    assertEquals(Session.T0.plus(Duration.ofMinutes(5)), s.engine.pollTimeout());
    s.send(MAIL + RCPT + "DATA\r\n");
    assertEquals(Session.T0.plus(Duration.ofMinutes(3)), s.engine.pollTimeout());
    s.engine.handleTimeout(Session.T0.plusSeconds(179));
    assertFalse(s.engine.isClosed());
    s.engine.handleTimeout(Session.T0.plusSeconds(180));
    assertEquals("421 4.4.2 mx.example.test Error: timeout exceeded\r\n", s.output());
    assertTrue(s.engine.isClosed());
    assertNull(s.engine.pollTimeout());
  }

  @Test
  void endOfInputAfterTheTerminatorStillAnswersTheMessageThenCloses() {
    Session s = new Session(Session.config().build()).hello();
    s.autoAccept = false;
    s.send(MAIL + RCPT + "DATA\r\nx\r\n.\r\n");
    s.engine.endOfInput();
    assertFalse(s.engine.isClosed());
    s.engine.messageAccepted(s.now, "Q1");
    assertTrue(s.output().startsWith("250 2.0.0"));
    assertTrue(s.engine.isClosed());
    Session idle = new Session(Session.config().build()).hello();
    idle.engine.endOfInput();
    assertTrue(idle.engine.isClosed());
  }

  @Test
  void unreadRepliesPushBackInsteadOfGrowing() {
    Session s = new Session(Session.config().build()).hello();
    byte[] noops = "NOOP\r\n".repeat(50_000).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer in = s.feed(noops);
    assertTrue(in.hasRemaining(), "the engine stopped taking input");
    ByteBuffer out = s.engine.pollOutput();
    assertTrue(out.remaining() <= 64 * 1024 + 64, "output bounded: " + out.remaining());
    s.engine.receive(s.now, in);
    assertTrue(s.engine.pollOutput().remaining() > 0);
  }

  @Test
  void bareLineFeedCommandsAreAccepted() {
    Session s = new Session(Session.config().build()).hello();
    assertEquals("250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n", s.send("NOOP\n" + MAIL.trim() + "\n"));
  }

  @Test
  void replyValidation() {
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(250, "5.0.0", "x"));
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(199, null, "x"));
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(250, null, "a\r\nb"));
    assertEquals(
        "250-a\r\n250 b\r\n",
        new String(
            new SmtpReply(250, null, java.util.List.of("a", "b")).toBytes(),
            StandardCharsets.US_ASCII));
  }
}
