package dev.headend.mail.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The server-wide limit on message content in memory: a message that does not fit is read to its
 * end, dropped and answered 452 4.3.1; memory comes back after the decision, a reset, or the end of
 * the connection.
 */
class MessageMemoryTest {
  private static final String NO_ROOM =
      "452 4.3.1 Insufficient system storage; try again later\r\n";

  private static String message(int octets) {
    StringBuilder sb = new StringBuilder("Subject: big\r\n\r\n");
    while (sb.length() < octets) {
      sb.append("0123456789".repeat(7)).append("\r\n");
    }
    return sb.toString();
  }

  private static Session inTransaction(SmtpServerConfig config) {
    Session s = new Session(config).hello();
    s.output();
    s.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\n");
    return s;
  }

  @Test
  void aMessageOverTheSharedLimitGets452AndTheOtherSessionsGoOn() {
    MessageMemory memory = MessageMemory.of(200_000);
    SmtpServerConfig config = Session.config().messageMemory(memory).build();
    Session first = inTransaction(config);
    first.autoAccept = false; // its message waits for the store, holding its memory
    first.send("DATA\r\n");
    first.send(message(120_000) + ".\r\n");
    assertEquals(1, first.messages.size());
    assertTrue(memory.used() >= 120_000, memory.toString());

    Session second = inTransaction(config);
    second.send("DATA\r\n");
    String reply = second.send(message(120_000) + ".\r\n");
    assertEquals(NO_ROOM, reply);
    assertEquals(0, second.messages.size());
    // the session goes on: a small message fits
    second.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
    assertTrue(second.send("Subject: small\r\n\r\nhi\r\n.\r\n").startsWith("250 2.0.0 Ok"));

    first.engine.messageAccepted(first.now, "Q1");
    assertTrue(first.output().startsWith("250 2.0.0"));
    assertEquals(0, memory.used(), "everything given back after the decisions");
    second.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
    assertTrue(second.send(message(120_000) + ".\r\n").startsWith("250 2.0.0 Ok"));
  }

  @Test
  void aDeclaredSizeOverWhatIsFreeIsRefusedAtMail() {
    MessageMemory memory = MessageMemory.of(50_000);
    Session s = new Session(Session.config().messageMemory(memory).build()).hello();
    s.output();
    assertEquals(NO_ROOM, s.send("MAIL FROM:<a@b.test> SIZE=60000\r\n"));
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<a@b.test> SIZE=40000\r\n"));
  }

  @Test
  void bdatChunksOverTheLimitGet452AtTheLastChunk() {
    MessageMemory memory = MessageMemory.of(30_000);
    Session s = inTransaction(Session.config().messageMemory(memory).build());
    String chunk = "x".repeat(20_000);
    assertEquals("250 2.0.0 20000 octets received\r\n", s.send("BDAT 20000\r\n" + chunk));
    assertEquals(NO_ROOM, s.send("BDAT 20000 LAST\r\n" + chunk));
    assertEquals(0, s.messages.size());
    assertEquals(0, memory.used());
  }

  @Test
  void aConnectionThatGoesAwayGivesBackWhatItWasReceiving() {
    MessageMemory memory = MessageMemory.of(1 << 20);
    SmtpServerConfig config = Session.config().messageMemory(memory).build();
    Session receiving = inTransaction(config);
    receiving.send("DATA\r\n");
    receiving.send(message(100_000)); // no end yet
    Session waiting = inTransaction(config);
    waiting.autoAccept = false;
    waiting.send("DATA\r\n" + message(50_000) + ".\r\n");
    SmtpEvent.MessageReceived handedOut = waiting.messages.get(0);
    assertTrue(memory.used() >= 150_000, memory.toString());
    receiving.engine.connectionClosed();
    waiting.engine.connectionClosed();
    assertTrue(receiving.engine.isClosed());
    // the message being stored still holds its memory: the application has its content
    assertEquals(handedOut.memory().bytes(), memory.used());
    assertTrue(handedOut.memory().bytes() >= 50_000);
    handedOut.memory().release();
    assertEquals(0, memory.used());
    handedOut.memory().release(); // twice: nothing more to give
    waiting.engine.connectionClosed();
    assertEquals(0, memory.used());
  }

  @Test
  void aMessageThePolicyRefusesGivesItsMemoryBack() {
    MessageMemory memory = MessageMemory.of(1 << 20);
    SmtpPolicy refuseAll =
        new SmtpPolicy() {
          @Override
          public SmtpReply checkMessage(Envelope envelope, byte[] content) {
            return SmtpReply.of(550, "5.7.1", "no");
          }
        };
    Session s = inTransaction(Session.config().messageMemory(memory).policy(refuseAll).build());
    s.send("DATA\r\n");
    assertTrue(s.send(message(20_000) + ".\r\n").startsWith("550 5.7.1"));
    assertEquals(0, memory.used());
  }

  @Test
  void aDeclaredSizeReservesNothingBeforeTheBytesArrive() {
    MessageMemory memory = MessageMemory.of(64 << 20);
    Session s = new Session(Session.config().messageMemory(memory).build()).hello();
    s.output();
    s.send("MAIL FROM:<a@b.test> SIZE=10000000\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
    s.send("Subject: slow\r\n");
    assertTrue(memory.used() <= 8192, "an idle client pins nothing: " + memory);
  }

  @Test
  void aHandedOutMessageHoldsItsSizeNotItsBuffer() {
    MessageMemory memory = MessageMemory.of(64 << 20);
    Session s = inTransaction(Session.config().messageMemory(memory).build());
    s.autoAccept = false;
    s.send("DATA\r\n" + message(70_000) + ".\r\n"); // the buffer grew to 131072
    SmtpEvent.MessageReceived m = s.messages.get(0);
    assertEquals(m.content().length, m.memory().bytes());
    assertEquals(m.content().length, memory.used());
  }

  @Test
  void aPolicyThatThrowsGivesTheMemoryBack() {
    MessageMemory memory = MessageMemory.of(1 << 20);
    SmtpPolicy broken =
        new SmtpPolicy() {
          @Override
          public SmtpReply checkMessage(Envelope envelope, byte[] content) {
            throw new IllegalStateException("the blocklist lookup failed");
          }
        };
    Session s = inTransaction(Session.config().messageMemory(memory).policy(broken).build());
    s.send("DATA\r\n");
    assertThrows(IllegalStateException.class, () -> s.send(message(20_000) + ".\r\n"));
    s.engine.connectionClosed(); // what the transport does when a handler or engine throws
    assertEquals(0, memory.used());
  }

  @Test
  void aDeclaredSizeFitsWhenMailSaidItWould() {
    MessageMemory memory = MessageMemory.of(140_000);
    Session s = new Session(Session.config().messageMemory(memory).build()).hello();
    s.output();
    assertEquals("250 2.1.0 Ok\r\n", s.send("MAIL FROM:<a@b.test> SIZE=135000\r\n"));
    s.send("RCPT TO:<bob@example.test>\r\nDATA\r\n");
    // growing by doubling would have asked for 262144 bytes at 131072
    assertTrue(s.send(message(134_000) + ".\r\n").startsWith("250 2.0.0 Ok"));
    assertEquals(0, memory.used());
  }

  @Test
  void aLimitSmallerThanTheFirstBufferRefusesEveryMessage() {
    MessageMemory memory = MessageMemory.of(4000);
    Session s = inTransaction(Session.config().messageMemory(memory).build());
    s.send("DATA\r\n");
    assertEquals(NO_ROOM, s.send("Subject: tiny\r\n\r\nhi\r\n.\r\n"));
    assertEquals(0, memory.used());
  }

  @Test
  void rsetAndQuitGiveMemoryBack() {
    MessageMemory memory = MessageMemory.of(1 << 20);
    SmtpServerConfig config = Session.config().messageMemory(memory).build();
    Session s = inTransaction(config);
    s.send("BDAT 1000\r\n" + "y".repeat(1000));
    assertTrue(memory.used() > 0);
    s.send("RSET\r\n");
    assertEquals(0, memory.used());
    s.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\nBDAT 10\r\n0123456789");
    assertTrue(memory.used() > 0);
    s.send("QUIT\r\n");
    assertEquals(0, memory.used());
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> MessageMemory.of(-1));
    assertEquals(0, MessageMemory.of(0).available());
  }
}
