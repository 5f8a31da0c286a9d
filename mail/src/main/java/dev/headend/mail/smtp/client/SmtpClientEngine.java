package dev.headend.mail.smtp.client;

import dev.headend.core.StreamEngine;
import dev.headend.mail.smtp.SmtpReply;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The client side of one SMTP session (RFC 5321) as a sans-I/O stream engine: it delivers one
 * message to one server and reports a result per recipient.
 *
 * <p>The dialogue: wait for the greeting; EHLO (HELO if EHLO gets a 5xx); STARTTLS when offered and
 * the policy allows it, or fail with {@link SmtpClientError#TLS_NOT_OFFERED} when TLS is required;
 * EHLO again under TLS; AUTH PLAIN or LOGIN when credentials are configured (only under TLS unless
 * allowed); MAIL with {@code SIZE=} (RFC 1870), {@code BODY=8BITMIME} (RFC 6152) and {@code
 * SMTPUTF8} (RFC 6531) as needed and offered, {@code RET} and {@code ENVID} (RFC 3461) when the
 * message has a {@link DsnRequest} and DSN is offered; RCPT per recipient (with {@code NOTIFY} and
 * {@code ORCPT} likewise); DATA; the dot-stuffed content; QUIT. With PIPELINING (RFC 2920) MAIL,
 * every RCPT and DATA leave in one write and the content only after DATA's 354. A message larger
 * than the server's SIZE, UTF-8 addresses without SMTPUTF8 and 8-bit content without 8BITMIME fail
 * before MAIL, permanently.
 *
 * <pre>{@code
 * SmtpClientEngine smtp = SmtpClientEngine.start(config, message, now);
 * loop:
 *   write(smtp.pollOutput()) while not null;
 *   smtp.receive(now, bytesFromServer)   (or smtp.endOfInput(), smtp.handleTimeout(now))
 *   for events: StartTls -> handshake, then smtp.tlsStarted(now); Finished -> the result
 *   until smtp.isClosed()
 * }</pre>
 *
 * <p>Every wait has the RFC 5321 §4.5.3.2 deadline (see {@link SmtpClientConfig}); a missed one
 * ends the session with {@link SmtpClientError#TIMEOUT}. Whatever the server sends, the engine
 * holds at most one reply line ({@value ReplyReader#MAX_LINE} octets) and one reply of {@value
 * ReplyReader#MAX_LINES} lines; anything that is not an SMTP reply ends the session with {@link
 * SmtpClientError#PROTOCOL_ERROR}. Single-threaded; never throws on the peer's input.
 */
public final class SmtpClientEngine implements StreamEngine<SmtpClientEvent> {

  private enum State {
    GREETING,
    EHLO,
    HELO,
    STARTTLS,
    TLS_HANDSHAKE,
    AUTH_PLAIN,
    AUTH_LOGIN_USER,
    AUTH_LOGIN_PASSWORD,
    AUTH_LOGIN_DONE,
    TRANSACTION,
    DATA_SENT,
    EMPTY_DATA_SENT,
    QUIT,
    DONE
  }

  private enum Pending {
    MAIL,
    RCPT,
    DATA
  }

  private static final Duration QUIT_WAIT = Duration.ofSeconds(30);

  private final SmtpClientConfig config;
  private final OutgoingMessage message;
  private final long size;
  private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
  private final ArrayDeque<SmtpClientEvent> events = new ArrayDeque<>();
  private final ReplyReader reader = new ReplyReader();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final SmtpReply[] rcptReplies;
  private State state = State.GREETING;
  private Instant deadline;
  private boolean closed;
  private boolean tls;
  private boolean authenticated;
  private boolean pipelining;
  private long maxSize; // 0: no limit announced
  private boolean sizeOffered;
  private boolean offersStartTls;
  private boolean offers8bit;
  private boolean offersUtf8;
  private boolean offersDsn;
  private final Set<String> authMechanisms = new HashSet<>();
  private boolean extended; // EHLO succeeded
  private int nextRcpt; // next RCPT to send (unpipelined)
  private int rcptAnswered;
  private SmtpReply mailReply;
  private SmtpReply dataReply; // to DATA (354 or refusal)
  private SmtpReply finalReply; // to the terminating dot

  private SmtpClientEngine(SmtpClientConfig config, OutgoingMessage message, Instant now) {
    this.config = Objects.requireNonNull(config, "config");
    this.message = Objects.requireNonNull(message, "message");
    this.size = DataEncoder.canonicalSize(message.content());
    this.rcptReplies = new SmtpReply[message.recipients().size()];
    this.deadline = now.plus(config.greetingTimeout());
  }

  /**
   * A session that will deliver {@code message}, started at {@code now} when the connection is open
   * (the engine first waits for the greeting).
   */
  public static SmtpClientEngine start(
      SmtpClientConfig config, OutgoingMessage message, Instant now) {
    return new SmtpClientEngine(config, message, now);
  }

  /** Whether the session is now under TLS. */
  public boolean isTls() {
    return tls;
  }

  @Override
  public void receive(Instant now, ByteBuffer bytes) {
    while (bytes.hasRemaining()) {
      if (state == State.DONE || closed) {
        bytes.position(bytes.limit());
        return;
      }
      if (state == State.TLS_HANDSHAKE) {
        // bytes after the 220 to STARTTLS, in clear: an injection attempt (RFC 3207 §6)
        bytes.position(bytes.limit());
        fail(now, SmtpClientError.PROTOCOL_ERROR, null, true);
        return;
      }
      SmtpReply reply = reader.read(bytes);
      if (reply == null) {
        if (reader.error() != null) {
          fail(now, SmtpClientError.PROTOCOL_ERROR, null, true);
        }
        return;
      }
      onReply(now, reply);
      if (state == State.TLS_HANDSHAKE && (bytes.hasRemaining() || reader.midReply())) {
        bytes.position(bytes.limit());
        fail(now, SmtpClientError.PROTOCOL_ERROR, null, true);
        return;
      }
    }
  }

  @Override
  public void endOfInput() {
    if (state == State.QUIT || state == State.DONE) {
      state = State.DONE;
      closed = true;
      return;
    }
    fail(null, SmtpClientError.CONNECTION_CLOSED, null, true);
  }

  @Override
  public SmtpClientEvent nextEvent() {
    return events.poll();
  }

  @Override
  public ByteBuffer pollOutput() {
    return output.poll();
  }

  @Override
  public Instant pollTimeout() {
    return closed ? null : deadline;
  }

  @Override
  public void handleTimeout(Instant now) {
    if (closed || deadline == null || now.isBefore(deadline)) {
      return;
    }
    if (state == State.QUIT) {
      state = State.DONE;
      closed = true;
      return;
    }
    fail(now, SmtpClientError.TIMEOUT, null, true);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** The TLS handshake after STARTTLS completed: the session goes on, under TLS. */
  public void tlsStarted(Instant now) {
    if (state != State.TLS_HANDSHAKE) {
      throw new IllegalStateException("no STARTTLS pending");
    }
    tls = true;
    extended = false;
    authMechanisms.clear();
    pipelining = offersStartTls = offers8bit = offersUtf8 = offersDsn = sizeOffered = false;
    maxSize = 0;
    ehlo(now);
  }

  /** The TLS handshake after STARTTLS failed: the session ends (no QUIT can be sent). */
  public void tlsFailed(Instant now) {
    if (state != State.TLS_HANDSHAKE) {
      throw new IllegalStateException("no STARTTLS pending");
    }
    fail(now, SmtpClientError.TLS_FAILED, null, true);
  }

  // ---------------------------------------------------------------- the dialogue

  private void onReply(Instant now, SmtpReply reply) {
    if (reply.code() == 421 && state != State.QUIT) {
      // RFC 5321 §3.8: the server is closing; whatever we asked, the session is over
      fail(now, SmtpClientError.REJECTED, reply, true);
      return;
    }
    switch (state) {
      case GREETING -> {
        if (reply.code() != 220) {
          fail(now, SmtpClientError.REJECTED, reply, false);
        } else {
          ehlo(now);
        }
      }
      case EHLO -> {
        if (reply.code() == 250) {
          extensions(reply);
          afterHello(now);
        } else if (reply.code() >= 500 && !tls) {
          send(now, "HELO " + config.heloName(), State.HELO, config.commandTimeout());
        } else {
          fail(now, SmtpClientError.REJECTED, reply, false);
        }
      }
      case HELO -> {
        if (reply.code() == 250) {
          extended = false;
          afterHello(now);
        } else {
          fail(now, SmtpClientError.REJECTED, reply, false);
        }
      }
      case STARTTLS -> {
        if (reply.code() == 220) {
          state = State.TLS_HANDSHAKE;
          deadline = now.plus(config.commandTimeout());
          events.add(new SmtpClientEvent.StartTls());
        } else if (config.tls() == SmtpClientConfig.TlsPolicy.REQUIRED) {
          fail(now, SmtpClientError.TLS_FAILED, reply, false);
        } else {
          offersStartTls = false; // go on in clear
          afterHello(now);
        }
      }
      case AUTH_PLAIN, AUTH_LOGIN_DONE -> {
        if (reply.code() == 235) {
          authenticated = true;
          afterHello(now);
        } else {
          fail(now, SmtpClientError.REJECTED, reply, false);
        }
      }
      case AUTH_LOGIN_USER -> {
        if (reply.code() == 334) {
          send(now, base64(config.user()), State.AUTH_LOGIN_PASSWORD, config.commandTimeout());
        } else {
          fail(now, SmtpClientError.REJECTED, reply, false);
        }
      }
      case AUTH_LOGIN_PASSWORD -> {
        if (reply.code() == 334) {
          send(now, base64(config.password()), State.AUTH_LOGIN_DONE, config.commandTimeout());
        } else {
          fail(now, SmtpClientError.REJECTED, reply, false);
        }
      }
      case TRANSACTION -> transaction(now, reply);
      case DATA_SENT -> {
        finalReply = reply;
        finish(now, null, null, false);
      }
      case EMPTY_DATA_SENT -> finish(now, null, null, false);
      case QUIT -> {
        state = State.DONE;
        closed = true;
      }
      case TLS_HANDSHAKE, DONE -> {
        // not reached: receive() stops before these
      }
    }
  }

  private void ehlo(Instant now) {
    send(now, "EHLO " + config.heloName(), State.EHLO, config.commandTimeout());
  }

  private void extensions(SmtpReply reply) {
    extended = true;
    List<String> lines = reply.lines();
    for (int i = 1; i < lines.size(); i++) {
      String[] words = lines.get(i).trim().split("[ =]+");
      if (words.length == 0 || words[0].isEmpty()) {
        continue; // smtp-sink ends its EHLO reply with an empty line
      }
      String keyword = words[0].toUpperCase(Locale.ROOT);
      switch (keyword) {
        case "PIPELINING" -> pipelining = true;
        case "STARTTLS" -> offersStartTls = true;
        case "8BITMIME" -> offers8bit = true;
        case "SMTPUTF8" -> offersUtf8 = true;
        case "DSN" -> offersDsn = true;
        case "SIZE" -> {
          sizeOffered = true;
          if (words.length > 1 && words[1].matches("\\d{1,18}")) {
            maxSize = Long.parseLong(words[1]);
          }
        }
        case "AUTH" -> {
          for (int w = 1; w < words.length; w++) {
            authMechanisms.add(words[w].toUpperCase(Locale.ROOT));
          }
        }
        default -> {}
      }
    }
  }

  /** After a successful EHLO/HELO, STARTTLS or AUTH: the next step. */
  private void afterHello(Instant now) {
    SmtpClientConfig.TlsPolicy policy = config.tls();
    if (!tls && policy != SmtpClientConfig.TlsPolicy.NEVER && offersStartTls) {
      send(now, "STARTTLS", State.STARTTLS, config.commandTimeout());
      return;
    }
    if (!tls && policy == SmtpClientConfig.TlsPolicy.REQUIRED) {
      fail(now, SmtpClientError.TLS_NOT_OFFERED, null, false);
      return;
    }
    if (config.user() != null && !authenticated) {
      if (!tls && !config.authWithoutTls()) {
        fail(now, SmtpClientError.AUTH_NEEDS_TLS, null, false);
      } else if (authMechanisms.contains("PLAIN")) {
        String token = "\0" + config.user() + "\0" + config.password();
        send(now, "AUTH PLAIN " + base64(token), State.AUTH_PLAIN, config.commandTimeout());
      } else if (authMechanisms.contains("LOGIN")) {
        send(now, "AUTH LOGIN", State.AUTH_LOGIN_USER, config.commandTimeout());
      } else {
        fail(now, SmtpClientError.AUTH_NOT_OFFERED, null, false);
      }
      return;
    }
    if (message.needsSmtpUtf8() && !(extended && offersUtf8)) {
      fail(now, SmtpClientError.SMTPUTF8_NOT_OFFERED, null, false);
      return;
    }
    boolean eightBit = message.eightBit();
    if (eightBit && !(extended && offers8bit)) {
      fail(now, SmtpClientError.EIGHTBITMIME_NOT_OFFERED, null, false);
      return;
    }
    if (extended && maxSize > 0 && size > maxSize) {
      fail(now, SmtpClientError.MESSAGE_TOO_BIG, null, false);
      return;
    }
    StringBuilder mail = new StringBuilder("MAIL FROM:<").append(message.sender()).append('>');
    if (extended && sizeOffered) {
      mail.append(" SIZE=").append(size);
    }
    if (eightBit) {
      mail.append(" BODY=8BITMIME");
    }
    if (message.needsSmtpUtf8()) {
      mail.append(" SMTPUTF8");
    }
    DsnRequest dsn = dsn();
    if (dsn != null) {
      mail.append(dsn.mailParameters());
    }
    state = State.TRANSACTION;
    deadline = now.plus(config.commandTimeout());
    if (extended && pipelining) {
      StringBuilder batch = new StringBuilder(mail).append("\r\n");
      pending.add(Pending.MAIL);
      for (String r : message.recipients()) {
        batch.append(rcptCommand(r));
        pending.add(Pending.RCPT);
      }
      batch.append("DATA\r\n");
      pending.add(Pending.DATA);
      nextRcpt = message.recipients().size();
      write(batch.toString());
    } else {
      pending.add(Pending.MAIL);
      write(mail + "\r\n");
    }
  }

  private void transaction(Instant now, SmtpReply reply) {
    Pending what = pending.poll();
    if (what == null) {
      fail(now, SmtpClientError.PROTOCOL_ERROR, reply, true);
      return;
    }
    deadline = now.plus(config.commandTimeout());
    switch (what) {
      case MAIL -> {
        mailReply = reply;
        if (!pipelining || !extended) {
          if (reply.code() / 100 != 2) {
            finish(now, SmtpClientError.REJECTED, reply, false);
          } else {
            sendRcpt(now);
          }
        }
      }
      case RCPT -> {
        rcptReplies[rcptAnswered++] = reply;
        if (!pipelining || !extended) {
          if (nextRcpt < rcptReplies.length) {
            sendRcpt(now);
          } else if (anyRecipientAccepted()) {
            pending.add(Pending.DATA);
            deadline = now.plus(config.dataInitTimeout());
            write("DATA\r\n");
          } else {
            finish(now, null, null, false);
          }
        } else if (pending.peek() == Pending.DATA) {
          deadline = now.plus(config.dataInitTimeout());
        }
      }
      case DATA -> {
        dataReply = reply;
        if (reply.code() == 354) {
          if (mailReply.code() / 100 == 2 && anyRecipientAccepted()) {
            byte[] data = DataEncoder.encode(message.content());
            long blocks = 1 + data.length / 65536;
            deadline =
                now.plus(config.dataTerminationTimeout())
                    .plus(config.dataBlockTimeout().multipliedBy(blocks));
            state = State.DATA_SENT;
            output.add(ByteBuffer.wrap(data));
          } else {
            // RFC 2920 §3.1: DATA accepted with no valid recipient; send an empty message
            state = State.EMPTY_DATA_SENT;
            deadline = now.plus(config.dataTerminationTimeout());
            write(".\r\n");
          }
        } else if (mailReply.code() / 100 != 2) {
          finish(now, SmtpClientError.REJECTED, mailReply, false);
        } else if (anyRecipientAccepted()) {
          finish(now, SmtpClientError.REJECTED, reply, false);
        } else {
          finish(now, null, null, false);
        }
      }
    }
  }

  private void sendRcpt(Instant now) {
    pending.add(Pending.RCPT);
    deadline = now.plus(config.commandTimeout());
    write(rcptCommand(message.recipients().get(nextRcpt++)));
  }

  /** The message's DSN request if the server offers DSN (RFC 3461 §4: never sent otherwise). */
  private DsnRequest dsn() {
    return extended && offersDsn ? message.dsn() : null;
  }

  private String rcptCommand(String recipient) {
    DsnRequest dsn = dsn();
    return "RCPT TO:<"
        + recipient
        + ">"
        + (dsn == null ? "" : dsn.rcptParameters(recipient))
        + "\r\n";
  }

  private boolean anyRecipientAccepted() {
    for (SmtpReply r : rcptReplies) {
      if (r != null && r.code() / 100 == 2) {
        return true;
      }
    }
    return false;
  }

  private void send(Instant now, String command, State next, Duration timeout) {
    state = next;
    deadline = now.plus(timeout);
    write(command + "\r\n");
  }

  private void write(String s) {
    output.add(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- the end

  private void fail(Instant now, SmtpClientError error, SmtpReply reply, boolean closeNow) {
    finish(now, error, reply, closeNow);
  }

  /** Reports the result, then QUITs (or closes at once after a broken session). */
  private void finish(Instant now, SmtpClientError error, SmtpReply reply, boolean closeNow) {
    if (state == State.QUIT || state == State.DONE) {
      return;
    }
    events.add(new SmtpClientEvent.Finished(result(error, reply)));
    if (closeNow || now == null) {
      state = State.DONE;
      closed = true;
      deadline = null;
      return;
    }
    // the result is known: wait for QUIT's 221 briefly, not the full command timeout
    Duration quitWait = config.commandTimeout();
    if (quitWait.compareTo(QUIT_WAIT) > 0) {
      quitWait = QUIT_WAIT;
    }
    send(now, "QUIT", State.QUIT, quitWait);
  }

  private DeliveryResult result(SmtpClientError error, SmtpReply reply) {
    List<String> rcpts = message.recipients();
    List<RecipientResult> results = new ArrayList<>(rcpts.size());
    SmtpReply sessionReply = reply != null ? reply : error != null ? synthesized(error) : null;
    for (int i = 0; i < rcpts.size(); i++) {
      SmtpReply r = rcptReplies[i];
      SmtpReply decided;
      if (mailReply != null && mailReply.code() / 100 != 2) {
        decided = mailReply; // MAIL refused: pipelined RCPT replies (503) say nothing more
      } else if (r != null && r.code() / 100 != 2) {
        decided = r; // refused at RCPT: the server's own answer stands
      } else if (r != null && finalReply != null && error == null) {
        decided = finalReply; // accepted at RCPT: the end of data decides
      } else if (error == null && r != null && dataReply != null) {
        decided = dataReply;
      } else {
        decided = sessionReply != null ? sessionReply : synthesized(SmtpClientError.PROTOCOL_ERROR);
      }
      results.add(new RecipientResult(rcpts.get(i), status(decided, error), decided));
    }
    return new DeliveryResult(results, error, reply, tls);
  }

  private static RecipientResult.Status status(SmtpReply reply, SmtpClientError error) {
    if (reply.code() / 100 == 2) {
      return RecipientResult.Status.ACCEPTED;
    }
    if (reply.code() >= 500 && (error == null || error == SmtpClientError.REJECTED)) {
      return RecipientResult.Status.PERM_FAILED;
    }
    if (error != null && error.permanent()) {
      return RecipientResult.Status.PERM_FAILED;
    }
    return RecipientResult.Status.TEMP_FAILED;
  }

  /** The reply a recipient is given when the client, not the server, ended the attempt. */
  static SmtpReply synthesized(SmtpClientError error) {
    return switch (error) {
      case REJECTED -> SmtpReply.of(451, "4.0.0", "rejected by the server");
      case TLS_NOT_OFFERED ->
          SmtpReply.of(451, "4.7.10", "TLS required, not offered by the server");
      case TLS_FAILED -> SmtpReply.of(451, "4.7.0", "TLS handshake failed");
      case AUTH_NOT_OFFERED -> SmtpReply.of(451, "4.7.0", "no AUTH mechanism in common");
      case AUTH_NEEDS_TLS -> SmtpReply.of(451, "4.7.0", "AUTH only under TLS");
      case SMTPUTF8_NOT_OFFERED ->
          SmtpReply.of(553, "5.6.7", "UTF-8 address, server does not offer SMTPUTF8");
      case EIGHTBITMIME_NOT_OFFERED ->
          SmtpReply.of(554, "5.6.3", "8-bit content, server does not offer 8BITMIME");
      case MESSAGE_TOO_BIG -> SmtpReply.of(552, "5.3.4", "message larger than the server's SIZE");
      case PROTOCOL_ERROR -> SmtpReply.of(451, "4.5.0", "SMTP protocol error");
      case TIMEOUT -> SmtpReply.of(451, "4.4.2", "timeout waiting for the server");
      case CONNECTION_CLOSED -> SmtpReply.of(451, "4.4.2", "connection closed by the server");
      case CONNECTION_FAILED -> SmtpReply.of(451, "4.4.1", "no connection to the server");
    };
  }
}
