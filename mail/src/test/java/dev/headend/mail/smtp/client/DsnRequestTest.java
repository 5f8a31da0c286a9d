package dev.headend.mail.smtp.client;

import static dev.headend.mail.smtp.client.Dialog.config;
import static dev.headend.mail.smtp.client.Dialog.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.smtp.client.DsnRequest.Notify;
import dev.headend.mail.smtp.client.DsnRequest.Return;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 3461 parameters: encoding, limits, and when the client sends them. */
class DsnRequestTest {

  private static final DsnRequest FAILURE_AND_DELAY =
      new DsnRequest(
          Return.HDRS,
          "q+1=a b",
          EnumSet.of(Notify.DELAY, Notify.FAILURE),
          Map.of("bob@b.test", "Bob+list@b.test"));

  @Test
  void xtextEncodesPlusEqualsSpaceAndControlsOnly() {
    assertEquals("abc~!", DsnRequest.xtext("abc~!"));
    assertEquals("q+2B1+3Da+20b", DsnRequest.xtext("q+1=a b"));
    assertEquals("+09+7F", DsnRequest.xtext("\t\u007f"));
  }

  @Test
  void parametersAsSent() {
    assertEquals(" RET=HDRS ENVID=q+2B1+3Da+20b", FAILURE_AND_DELAY.mailParameters());
    // conditions in RFC order whatever the set's order; ORCPT only where one was given
    assertEquals(
        " NOTIFY=FAILURE,DELAY ORCPT=rfc822;Bob+2Blist@b.test",
        FAILURE_AND_DELAY.rcptParameters("bob@b.test"));
    assertEquals(" NOTIFY=FAILURE,DELAY", FAILURE_AND_DELAY.rcptParameters("carol@b.test"));
    DsnRequest never = new DsnRequest(null, null, Set.of(Notify.NEVER), null);
    assertEquals("", never.mailParameters());
    assertEquals(" NOTIFY=NEVER", never.rcptParameters("bob@b.test"));
    assertFalse(never.reportsFailure());
    assertTrue(new DsnRequest(Return.FULL, null, null, Map.of()).reportsFailure());
    assertFalse(new DsnRequest(null, null, Set.of(Notify.SUCCESS), null).reportsFailure());
  }

  @Test
  void limitsOfRfc3461AreEnforced() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new DsnRequest(null, null, EnumSet.of(Notify.NEVER, Notify.FAILURE), null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DsnRequest(null, null, EnumSet.noneOf(Notify.class), null));
    assertThrows(
        IllegalArgumentException.class, () -> new DsnRequest(null, "x".repeat(101), null, null));
    // 34 spaces are 102 characters as xtext
    assertThrows(
        IllegalArgumentException.class, () -> new DsnRequest(null, " ".repeat(34), null, null));
    assertEquals(100, new DsnRequest(null, "x".repeat(100), null, null).envelopeId().length());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new DsnRequest(null, "id\r\nX: y", null, null));
    assertTrue(e.getMessage().contains("printable US-ASCII: character 13 at 2"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new DsnRequest(null, null, null, Map.of("bob@b.test", "bøb@b.test")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DsnRequest(null, null, null, Map.of("bob@b.test", "b".repeat(494))));
    assertEquals(
        1,
        new DsnRequest(null, null, null, Map.of("b@b", "b".repeat(493)))
            .originalRecipients()
            .size());
  }

  @Test
  void sentWithMailAndEveryRcptWhenDsnIsOffered() {
    Dialog d =
        new Dialog(
            config().build(), message("bob@b.test", "carol@b.test").withDsn(FAILURE_AND_DELAY));
    d.server("220 mx.test ESMTP\r\n");
    assertEquals(
        "MAIL FROM:<alice@a.test> RET=HDRS ENVID=q+2B1+3Da+20b\r\n"
            + "RCPT TO:<bob@b.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Bob+2Blist@b.test\r\n"
            + "RCPT TO:<carol@b.test> NOTIFY=FAILURE,DELAY\r\n"
            + "DATA\r\n",
        d.server("250-mx.test\r\n250-PIPELINING\r\n250 DSN\r\n"));
  }

  @Test
  void sentOneByOneWithoutPipelining() {
    Dialog d =
        new Dialog(
            config().build(), message("bob@b.test", "carol@b.test").withDsn(FAILURE_AND_DELAY));
    d.server("220 mx.test ESMTP\r\n");
    assertEquals(
        "MAIL FROM:<alice@a.test> RET=HDRS ENVID=q+2B1+3Da+20b\r\n",
        d.server("250-mx.test\r\n250 DSN\r\n"));
    assertEquals(
        "RCPT TO:<bob@b.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Bob+2Blist@b.test\r\n",
        d.server("250 ok\r\n"));
    assertEquals("RCPT TO:<carol@b.test> NOTIFY=FAILURE,DELAY\r\n", d.server("250 ok\r\n"));
  }

  @Test
  void leftOutWhenDsnIsNotOffered() {
    Dialog d = new Dialog(config().build(), message("bob@b.test").withDsn(FAILURE_AND_DELAY));
    d.server("220 mx.test ESMTP\r\n");
    assertEquals(
        "MAIL FROM:<alice@a.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\n",
        d.server("250-mx.test\r\n250 PIPELINING\r\n"));
    // nor after HELO
    Dialog helo = new Dialog(config().build(), message("bob@b.test").withDsn(FAILURE_AND_DELAY));
    helo.server("220 mx.test\r\n");
    assertEquals("HELO client.test\r\n", helo.server("502 no EHLO\r\n"));
    assertEquals("MAIL FROM:<alice@a.test>\r\n", helo.server("250 mx.test\r\n"));
  }

  @Test
  void offeredOnlyAfterStartTlsCountsOnlyThen() {
    Dialog d = new Dialog(config().build(), message("bob@b.test").withDsn(FAILURE_AND_DELAY));
    d.server("220 mx.test ESMTP\r\n");
    assertEquals("STARTTLS\r\n", d.server("250-mx.test\r\n250-DSN\r\n250 STARTTLS\r\n"));
    d.server("220 go ahead\r\n");
    d.engine.tlsStarted(d.now);
    assertEquals("EHLO client.test\r\n", d.drain());
    // the offer made in clear is forgotten: the EHLO under TLS decides
    assertEquals("MAIL FROM:<alice@a.test>\r\n", d.server("250 mx.test\r\n"));
  }
}
