package dev.headend.mail.smtp;

import dev.headend.core.StreamEngine;
import dev.headend.core.net.IpAddress;
import dev.headend.core.net.IpPrefix;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The server side of one SMTP session (RFC 5321) as a sans-I/O {@link StreamEngine}: bytes and time
 * in, replies and {@link SmtpEvent}s out. It never blocks, reads a clock, or touches a socket or
 * file, so every dialogue is reproducible in a unit test.
 *
 * <p>It implements EHLO/HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, VRFY, EXPN, HELP, QUIT, STARTTLS
 * and AUTH, with the extensions PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152),
 * SMTPUTF8 (RFC 6531), ENHANCEDSTATUSCODES (RFC 2034, 3463), CHUNKING (RFC 3030), STARTTLS (RFC
 * 3207) and AUTH PLAIN/LOGIN (RFC 4954). Every command in the input is answered in order and the
 * replies to one batch of input come out together, which is what PIPELINING asks.
 *
 * <pre>{@code
 * SmtpServerEngine smtp = SmtpServerEngine.open(config, clientAddress, "c1", now);
 * smtp.receive(now, bytesFromClient);
 * SmtpEvent e;
 * while ((e = smtp.nextEvent()) != null) {
 *   if (e instanceof SmtpEvent.MessageReceived m) {
 *     store(m);                         // on another thread; then, on the engine's thread:
 *     smtp.messageAccepted(now, id);    // only now does the client get its 250
 *   }
 * }
 * ByteBuffer reply = smtp.pollOutput();
 * }</pre>
 *
 * <p>Bounded whatever the peer sends: a command line is buffered up to 12 KiB (the AUTH limit of
 * RFC 4954), message content up to {@link SmtpServerConfig#maxMessageSize()} (the rest is counted
 * and dropped), and while 64 KiB of replies are waiting to be written the engine stops taking
 * input. Not thread-safe: one thread drives it.
 */
public final class SmtpServerEngine implements StreamEngine<SmtpEvent> {
  private static final int MAX_AUTH_LINE = 12288; // RFC 4954 §4
  // compiled once: String.matches and split(regex) compile a Pattern on every call
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
  private static final Pattern SPACES = Pattern.compile(" +");
  private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
  private static final int MAIL_ALLOWANCE = 1024; // SIZE (RFC 1870 §3), AUTH= (RFC 4954 §5), ...
  private static final int MAX_PENDING_OUTPUT = 64 * 1024;
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss '+0000'", Locale.US)
          .withZone(ZoneOffset.UTC);
  private static volatile FormattedDate lastDate; // the last second DATE formatted
  private static final String USERNAME_PROMPT = "VXNlcm5hbWU6"; // "Username:"
  private static final String PASSWORD_PROMPT = "UGFzc3dvcmQ6"; // "Password:"

  private enum State {
    COMMAND,
    AUTH,
    DATA,
    BDAT,
    WAIT_MESSAGE,
    WAIT_TLS,
    CLOSED
  }

  private final SmtpServerConfig config;
  private final InetSocketAddress client;
  private final String sessionId;
  private MessageMemory.Hold decided; // the memory of the message handed out last
  private long sizeDeclared; // MAIL's SIZE=, 0 if none
  private final ByteSink line = new ByteSink(256);
  private final ByteSink out = new ByteSink(512);
  private final ArrayDeque<SmtpEvent> events = new ArrayDeque<>(2);
  private State state = State.COMMAND;
  private boolean lineOverflow;
  private Instant now;
  private Instant deadline;
  private boolean closeAfterDecision;

  // session
  private String helo;
  private boolean esmtp;
  private boolean tls;
  private String authUser;
  private int errors;
  private int transactions;

  // transaction
  private String sender;
  private final List<String> recipients = new ArrayList<>();
  private boolean smtpUtf8;
  private String body;
  private ByteSink message;
  private int headerLength;
  private DataReader data;
  private boolean bdatStarted;
  private long bdatRemaining;
  private boolean bdatLast;
  private boolean bdatStore;
  private boolean bdatTooBig;
  private SmtpReply bdatRefusal;
  private long bdatChunkSize;

  // AUTH exchange
  private String authMechanism;
  private String loginUser;

  private SmtpServerEngine(
      SmtpServerConfig config, InetSocketAddress client, String sessionId, Instant now) {
    this.config = Objects.requireNonNull(config, "config");
    this.client = client;
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    this.now = Objects.requireNonNull(now, "now");
    this.tls = config.implicitTls();
    reply(220, null, config.hostname() + " ESMTP headend");
    armDeadline();
  }

  /**
   * Opens a session: the greeting is queued at once.
   *
   * @param config the server's configuration
   * @param client the client's address (for relay networks and the Received header), or null
   * @param sessionId an identifier unique on this server, used in Received headers ({@code c42})
   * @param now the current time
   */
  public static SmtpServerEngine open(
      SmtpServerConfig config, InetSocketAddress client, String sessionId, Instant now) {
    if (!SESSION_ID.matcher(sessionId).matches()) {
      throw new IllegalArgumentException("session id must be 1-64 of [A-Za-z0-9._-]");
    }
    return new SmtpServerEngine(config, client, sessionId, now);
  }

  // ---- StreamEngine ---------------------------------------------------------------------------

  @Override
  public void receive(Instant now, ByteBuffer in) {
    this.now = Objects.requireNonNull(now, "now");
    if (state == State.CLOSED) {
      in.position(in.limit());
      return;
    }
    if (!in.hasRemaining()) {
      return;
    }
    loop:
    while (in.hasRemaining() && out.size() < MAX_PENDING_OUTPUT) {
      switch (state) {
        case COMMAND, AUTH -> {
          if (!readLine(in)) {
            break loop;
          }
          processLine(in.hasRemaining());
        }
        case DATA -> {
          if (data.consume(in)) {
            endData();
          }
        }
        case BDAT -> consumeChunk(in);
        case CLOSED -> {
          in.position(in.limit());
          break loop;
        }
        default -> {
          break loop; // waiting for a decision or a TLS handshake: push back
        }
      }
    }
    armDeadline();
  }

  @Override
  public void endOfInput() {
    if (state == State.WAIT_MESSAGE) {
      closeAfterDecision = true; // answer the message (it may be stored), then close
    } else {
      close();
    }
  }

  @Override
  public SmtpEvent nextEvent() {
    return events.pollFirst();
  }

  @Override
  public ByteBuffer pollOutput() {
    if (out.size() == 0) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
    out.reset(4096);
    return b;
  }

  @Override
  public Instant pollTimeout() {
    return state == State.CLOSED || state == State.WAIT_MESSAGE || state == State.WAIT_TLS
        ? null
        : deadline;
  }

  @Override
  public void handleTimeout(Instant now) {
    this.now = now;
    Instant d = pollTimeout();
    if (d != null && !now.isBefore(d)) {
      reply(421, "4.4.2", config.hostname() + " Error: timeout exceeded");
      close();
    }
  }

  @Override
  public boolean isClosed() {
    return state == State.CLOSED;
  }

  /**
   * The connection is gone (the peer vanished, a write failed, the server stops): the session ends
   * without a reply and gives back the memory of the message it was receiving ({@link
   * SmtpServerConfig#messageMemory()}). A message already handed out in {@link
   * SmtpEvent.MessageReceived} and not decided on keeps its memory until the application calls
   * {@code memory().release()}. Call it once the engine will not be used again, whatever state it
   * is in; it does nothing more after the first time.
   */
  public void connectionClosed() {
    for (SmtpEvent e : events) {
      if (e instanceof SmtpEvent.MessageReceived m) {
        m.memory().release(); // never handed out
      }
    }
    events.clear();
    close();
  }

  // ---- the application's decisions ------------------------------------------------------------

  /**
   * The message of the last {@link SmtpEvent.MessageReceived} is stored durably: the client gets
   * {@code 250 2.0.0 Ok: queued as <id>} and the engine goes on with pipelined commands.
   *
   * @throws IllegalStateException if no message is waiting for a decision
   */
  public void messageAccepted(Instant now, String queueId) {
    requireState(State.WAIT_MESSAGE, "no message is waiting for a decision");
    this.now = now;
    String id = queueId == null ? "" : queueId.replaceAll("[^\\x21-\\x7e]", "?");
    reply(250, "2.0.0", id.isEmpty() ? "Ok: queued" : "Ok: queued as " + id);
    afterDecision();
  }

  /**
   * The message of the last {@link SmtpEvent.MessageReceived} is refused (a policy said no, or the
   * store failed: use a 4xx reply such as {@code 451 4.3.0} so the client tries again later).
   *
   * @throws IllegalArgumentException if {@code reply} is not a 4xx or 5xx reply
   */
  public void messageRejected(Instant now, SmtpReply reply) {
    requireState(State.WAIT_MESSAGE, "no message is waiting for a decision");
    if (reply.isPositive()) {
      throw new IllegalArgumentException("a rejection needs a 4xx or 5xx reply: " + reply);
    }
    this.now = now;
    out.write(reply.toBytes());
    afterDecision();
  }

  /**
   * The TLS handshake asked for by {@link SmtpEvent.StartTls} has completed: the session starts
   * over (RFC 3207 §4.2: the client must send EHLO again; nothing learnt before TLS is kept).
   */
  public void tlsStarted(Instant now) {
    requireState(State.WAIT_TLS, "no STARTTLS is pending");
    this.now = now;
    tls = true;
    helo = null;
    esmtp = false;
    authUser = null;
    resetTransaction();
    state = State.COMMAND;
    armDeadline();
  }

  /** Whether the session is protected by TLS (after STARTTLS, or implicit TLS). */
  public boolean isTls() {
    return tls;
  }

  /** The AUTH identity, or {@code null}. */
  public String authenticatedUser() {
    return authUser;
  }

  private void afterDecision() {
    decided.release();
    decided = null;
    resetTransaction();
    state = State.COMMAND;
    if (closeAfterDecision) {
      close();
    }
    armDeadline();
  }

  private void requireState(State s, String message) {
    if (state != s) {
      throw new IllegalStateException(message + " (state " + state + ")");
    }
  }

  // ---- command lines --------------------------------------------------------------------------

  /** Buffers one line; true when its LF was read. Bytes past the longest line are dropped. */
  private boolean readLine(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        return true;
      }
      if (line.size() <= MAX_AUTH_LINE) {
        line.write(b);
      } else {
        lineOverflow = true;
      }
    }
    return false;
  }

  private void processLine(boolean moreInput) {
    boolean overflow = lineOverflow;
    int wireLength = line.size() + 1;
    int len = line.size();
    if (len > 0 && line.get(len - 1) == '\r') {
      len--;
    } else {
      wireLength++; // a bare LF is counted as if it were CRLF
    }
    byte[] raw = new byte[len];
    for (int i = 0; i < len; i++) {
      raw[i] = line.get(i);
    }
    line.reset(1024);
    lineOverflow = false;
    if (state == State.AUTH) {
      authResponse(raw, overflow || wireLength > MAX_AUTH_LINE);
      return;
    }
    String text = decode(raw);
    String verb = text == null ? "" : verb(text);
    int limit =
        switch (verb) {
          case "MAIL", "RCPT" -> config.maxCommandLine() + MAIL_ALLOWANCE;
          case "AUTH" -> MAX_AUTH_LINE;
          default -> config.maxCommandLine();
        };
    if (overflow || wireLength > limit) {
      error(500, verb.equals("AUTH") ? "5.5.6" : "5.5.2", "Error: line too long");
      return;
    }
    if (text == null) {
      error(500, "5.5.2", "Error: invalid characters in command");
      return;
    }
    String arg = text.length() > verb.length() ? text.substring(verb.length() + 1).strip() : "";
    switch (verb) {
      case "EHLO" -> hello(arg, true);
      case "HELO" -> hello(arg, false);
      case "MAIL" -> mail(arg);
      case "RCPT" -> rcpt(arg);
      case "DATA" -> data(arg);
      case "BDAT" -> bdat(arg);
      case "RSET" -> {
        if (!arg.isEmpty()) {
          error(501, "5.5.4", "Syntax: RSET");
        } else {
          resetTransaction();
          reply(250, "2.0.0", "Ok");
        }
      }
      case "NOOP" -> reply(250, "2.0.0", "Ok");
      case "QUIT" -> {
        reply(221, "2.0.0", config.hostname() + " Bye");
        close();
      }
      case "VRFY" -> {
        if (arg.isEmpty()) {
          error(501, "5.5.4", "Syntax: VRFY address");
        } else {
          SmtpReply r = config.policy().verify(session(), arg);
          out.write(r.toBytes());
        }
      }
      case "EXPN" -> reply(502, "5.5.1", "EXPN not available");
      case "HELP" ->
          reply(
              214,
              "2.0.0",
              "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP VRFY QUIT STARTTLS AUTH");
      case "STARTTLS" -> startTls(arg, moreInput);
      case "AUTH" -> auth(arg);
      default -> error(500, "5.5.1", "Error: command not recognized");
    }
  }

  /** The command text, or null if it is not UTF-8 or holds control characters. */
  private static String decode(byte[] raw) {
    boolean ascii = true;
    for (byte b : raw) {
      if (b < 0) {
        ascii = false;
      } else if (b < 32 && b != '\t' || b == 127) {
        return null;
      }
    }
    if (ascii) {
      return new String(raw, StandardCharsets.US_ASCII);
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String verb(String text) {
    int sp = text.indexOf(' ');
    String v = sp < 0 ? text : text.substring(0, sp);
    return v.length() > 8 ? "?" : v.toUpperCase(Locale.ROOT);
  }

  private void hello(String arg, boolean extended) {
    if (arg.isEmpty() || arg.indexOf(' ') >= 0 || arg.indexOf('\t') >= 0) {
      error(501, "5.5.4", "Syntax: " + (extended ? "EHLO" : "HELO") + " hostname");
      return;
    }
    resetTransaction();
    helo = arg;
    esmtp = extended;
    if (!extended) {
      reply(250, null, config.hostname());
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(config.hostname());
    lines.add("PIPELINING");
    lines.add("SIZE " + config.maxMessageSize());
    lines.add("8BITMIME");
    lines.add("SMTPUTF8");
    lines.add("ENHANCEDSTATUSCODES");
    lines.add("CHUNKING");
    if (config.startTls() && !tls) {
      lines.add("STARTTLS");
    }
    if (authOffered()) {
      lines.add("AUTH PLAIN LOGIN");
    }
    out.write(new SmtpReply(250, null, lines).toBytes());
  }

  private boolean authOffered() {
    return config.authenticator() != null && (tls || config.authWithoutTls());
  }

  // ---- the mail transaction -------------------------------------------------------------------

  private void mail(String arg) {
    if (helo == null) {
      error(503, "5.5.1", "Error: send HELO/EHLO first");
      return;
    }
    if (sender != null) {
      error(503, "5.5.1", "Error: nested MAIL command");
      return;
    }
    if (config.submission() && authUser == null) {
      error(530, "5.7.0", "Authentication required");
      return;
    }
    int start = prefix(arg, "FROM:");
    PathParser.ParsedPath path = start < 0 ? null : PathParser.parse(arg, start, true, false);
    if (path == null) {
      error(501, "5.1.7", "Syntax: MAIL FROM:<address>");
      return;
    }
    boolean utf8 = false;
    String bodyType = null;
    long declaredSize = 0;
    List<String> seen = new ArrayList<>();
    for (String param : params(arg, path.end())) {
      if (param == null) {
        error(501, "5.5.4", "Syntax error in parameters");
        return;
      }
      int eq = param.indexOf('=');
      String key = (eq < 0 ? param : param.substring(0, eq)).toUpperCase(Locale.ROOT);
      String value = eq < 0 ? null : param.substring(eq + 1);
      if (!esmtp) {
        error(555, "5.5.4", "Parameters need EHLO");
        return;
      }
      if (seen.contains(key)) {
        error(501, "5.5.4", "Duplicate parameter " + key);
        return;
      }
      seen.add(key);
      switch (key) {
        case "SIZE" -> {
          if (value == null || !DIGITS.matcher(value).matches()) {
            error(501, "5.5.4", "Bad SIZE parameter");
            return;
          }
          long declared = Long.parseLong(value);
          if (declared > config.maxMessageSize()) {
            reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
            return;
          }
          if (declared > config.messageMemory().available()) {
            insufficientStorage(); // RFC 1870 §6.2: not now, perhaps later
            return;
          }
          declaredSize = declared;
        }
        case "BODY" -> {
          if (value == null
              || !(value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
            error(501, "5.5.4", "Bad BODY parameter (7BIT or 8BITMIME)");
            return;
          }
          bodyType = value.toUpperCase(Locale.ROOT);
        }
        case "SMTPUTF8" -> {
          if (value != null) {
            error(501, "5.5.4", "SMTPUTF8 takes no value");
            return;
          }
          utf8 = true;
        }
        case "AUTH" -> {
          if (!authOffered() || value == null) {
            error(555, "5.5.4", "Unsupported parameter AUTH");
            return;
          }
          // RFC 4954 §5: the original submitter; recorded by nobody here, accepted
        }
        default -> {
          error(555, "5.5.4", "Unsupported parameter " + key);
          return;
        }
      }
    }
    if (path.nonAscii() && !utf8) {
      reply(553, "5.6.7", "Non-ASCII sender address needs SMTPUTF8");
      return;
    }
    SmtpReply refused = config.policy().checkSender(session(), path.mailbox());
    if (refused != null) {
      out.write(refused.toBytes());
      return;
    }
    sender = path.mailbox();
    smtpUtf8 = utf8;
    body = bodyType;
    sizeDeclared = declaredSize;
    reply(250, "2.1.0", "Ok");
  }

  private void rcpt(String arg) {
    if (sender == null) {
      error(503, "5.5.1", "Error: need MAIL command");
      return;
    }
    if (bdatStarted) {
      error(503, "5.5.1", "Error: RCPT after BDAT");
      return;
    }
    int start = prefix(arg, "TO:");
    PathParser.ParsedPath path = start < 0 ? null : PathParser.parse(arg, start, false, true);
    if (path == null) {
      error(501, "5.1.3", "Syntax: RCPT TO:<address>");
      return;
    }
    for (String param : params(arg, path.end())) {
      error(555, "5.5.4", param == null ? "Syntax error in parameters" : "Unsupported parameter");
      return;
    }
    if (path.nonAscii() && !smtpUtf8) {
      reply(553, "5.6.7", "Non-ASCII recipient address needs SMTPUTF8");
      return;
    }
    if (recipients.size() >= config.maxRecipients()) {
      reply(452, "4.5.3", "Error: too many recipients");
      return;
    }
    boolean local =
        path.domain().isEmpty()
            || config.localDomains().contains(path.domain().toLowerCase(Locale.ROOT));
    if (!local && authUser == null && !inRelayNetwork()) {
      reply(550, "5.7.1", "Error: relaying denied");
      return;
    }
    SmtpReply refused = config.policy().checkRecipient(session(), sender, path.mailbox(), local);
    if (refused != null) {
      out.write(refused.toBytes());
      return;
    }
    if (!recipients.contains(path.mailbox())) {
      recipients.add(path.mailbox());
    }
    reply(250, "2.1.5", "Ok");
  }

  private boolean inRelayNetwork() {
    if (client == null || client.getAddress() == null || config.relayNetworks().isEmpty()) {
      return false;
    }
    IpAddress a = IpAddress.of(client.getAddress());
    for (IpPrefix p : config.relayNetworks()) {
      if (p.contains(a)) {
        return true;
      }
    }
    return false;
  }

  private void data(String arg) {
    if (!arg.isEmpty()) {
      error(501, "5.5.4", "Syntax: DATA");
      return;
    }
    if (sender == null) {
      error(503, "5.5.1", "Error: need MAIL command");
      return;
    }
    if (bdatStarted) {
      error(503, "5.5.1", "Error: DATA during BDAT transfer");
      return;
    }
    if (recipients.isEmpty()) {
      error(554, "5.5.1", "Error: no valid recipients");
      return;
    }
    startMessage();
    data = new DataReader(message, config.maxMessageSize(), config.maxTextLine());
    state = State.DATA;
    reply(354, null, "End data with <CR><LF>.<CR><LF>");
  }

  private void endData() {
    state = State.COMMAND;
    if (data.tooBig()) {
      resetTransaction();
      reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    } else if (message.starved()) {
      resetTransaction();
      insufficientStorage();
    } else if (data.lineTooLong()) {
      resetTransaction();
      reply(554, "5.6.0", "Message has a line longer than " + config.maxTextLine() + " octets");
    } else {
      finishMessage();
    }
  }

  private void bdat(String arg) {
    String[] parts = SPACES.split(arg);
    boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
    if (parts.length < 1
        || parts.length > 2
        || (parts.length == 2 && !last)
        || !DIGITS.matcher(parts[0]).matches()) {
      error(501, "5.5.4", "Syntax: BDAT size [LAST]");
      return;
    }
    long size = Long.parseLong(parts[0]);
    bdatRemaining = size;
    bdatChunkSize = size;
    bdatLast = last;
    bdatRefusal = null;
    if (helo == null || sender == null) {
      bdatRefusal = SmtpReply.of(503, "5.5.1", "Error: need MAIL command");
    } else if (recipients.isEmpty()) {
      bdatRefusal = SmtpReply.of(554, "5.5.1", "Error: no valid recipients");
    }
    bdatStore = bdatRefusal == null;
    if (bdatStore && !bdatStarted) {
      bdatStarted = true;
      bdatTooBig = false;
      startMessage();
    }
    if (bdatStore && message.size() - headerLength + size > config.maxMessageSize()) {
      bdatTooBig = true;
    }
    state = State.BDAT;
    if (size == 0) {
      chunkDone();
    }
  }

  private void consumeChunk(ByteBuffer in) {
    int n = (int) Math.min(bdatRemaining, in.remaining());
    if (bdatStore && !bdatTooBig) {
      if (in.hasArray()) {
        message.write(in.array(), in.arrayOffset() + in.position(), n);
        in.position(in.position() + n);
      } else {
        for (int i = 0; i < n; i++) {
          message.write(in.get());
        }
      }
    } else {
      in.position(in.position() + n); // discarded, never buffered
    }
    bdatRemaining -= n;
    if (bdatRemaining == 0) {
      chunkDone();
    }
  }

  private void chunkDone() {
    state = State.COMMAND;
    if (bdatRefusal != null) {
      SmtpReply r = bdatRefusal;
      bdatRefusal = null;
      error(r.code(), r.enhancedStatus(), r.lines().get(0));
    } else if (bdatTooBig) {
      resetTransaction();
      reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    } else if (bdatStore && message.starved()) {
      resetTransaction();
      insufficientStorage();
    } else if (bdatLast) {
      finishMessage();
    } else {
      reply(250, "2.0.0", bdatChunkSize + " octets received");
    }
  }

  /** Starts the content with the Received trace header (RFC 5321 §4.4). */
  private void startMessage() {
    transactions++;
    byte[] header = receivedHeader().getBytes(StandardCharsets.UTF_8);
    int most = (int) Math.min(Integer.MAX_VALUE - 64, header.length + config.maxMessageSize());
    // growing by doubling stops once at a declared size, so a message that MAIL said would fit
    // does fit; nothing is reserved for it before its bytes arrive
    int declared = sizeDeclared > 0 ? (int) Math.min(most, header.length + sizeDeclared) : most;
    message = new ByteSink(8192, config.messageMemory(), declared, most);
    message.write(header);
    headerLength = message.size();
  }

  private String transactionId() {
    return sessionId + "." + transactions;
  }

  private String receivedHeader() {
    String ip = "unknown";
    if (client != null && client.getAddress() != null) {
      String h = client.getAddress().getHostAddress();
      int zone = h.indexOf('%');
      h = zone >= 0 ? h.substring(0, zone) : h;
      ip = h.contains(":") ? "[IPv6:" + h + "]" : "[" + h + "]";
    }
    String from =
        PathParser.domain(helo) || PathParser.addressLiteral(helo)
            ? helo + " (" + ip + ")"
            : ip + " (helo=" + helo.replaceAll("[^\\x21-\\x7e]|[()\\\\]", "?") + ")";
    String protocol = smtpUtf8 ? "UTF8SMTP" : esmtp ? "ESMTP" : "SMTP";
    if (tls) {
      protocol += "S";
    }
    if (authUser != null) {
      protocol += "A";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("Received: from ").append(from).append("\r\n");
    sb.append("\tby ").append(config.hostname()).append(" (headend) with ").append(protocol);
    sb.append(" id ").append(transactionId());
    if (recipients.size() == 1) {
      sb.append("\r\n\tfor <").append(recipients.get(0)).append('>');
    }
    sb.append("; ").append(date(now)).append("\r\n");
    return sb.toString();
  }

  /** The Received header's date; formatted once per second, not once per message. */
  private static String date(Instant now) {
    long second = now.getEpochSecond();
    FormattedDate last = lastDate;
    if (last == null || last.second() != second) {
      last = new FormattedDate(second, DATE.format(now));
      lastDate = last; // a race only formats the same second twice
    }
    return last.text();
  }

  private record FormattedDate(long second, String text) {}

  private void finishMessage() {
    Envelope envelope =
        new Envelope(
            client, helo, sender, recipients, authUser, tls, smtpUtf8, body, transactionId());
    byte[] content = message.toByteArray();
    // the content array is what stays: hold its size, give back the rest of the buffer's
    long reserved = message.detachReservation();
    long kept = Math.min(reserved, content.length);
    config.messageMemory().release(reserved - kept);
    MessageMemory.Hold hold = config.messageMemory().hold(kept);
    message = null;
    data = null;
    SmtpReply refused;
    try {
      refused = config.policy().checkMessage(envelope, content);
    } catch (RuntimeException | Error e) {
      hold.release(); // the connection closes on a policy that throws
      throw e;
    }
    if (refused != null) {
      hold.release();
      resetTransaction();
      out.write(refused.toBytes());
      return;
    }
    state = State.WAIT_MESSAGE;
    decided = hold;
    events.add(new SmtpEvent.MessageReceived(envelope, content, hold));
  }

  private void resetTransaction() {
    sender = null;
    recipients.clear();
    smtpUtf8 = false;
    body = null;
    sizeDeclared = 0;
    releaseMemory();
    data = null;
    bdatStarted = false;
    bdatTooBig = false;
  }

  // ---- STARTTLS and AUTH ----------------------------------------------------------------------

  private void startTls(String arg, boolean moreInput) {
    if (!config.startTls()) {
      error(502, "5.5.1", "Error: STARTTLS not available");
    } else if (tls) {
      error(503, "5.5.1", "Error: TLS already active");
    } else if (!arg.isEmpty()) {
      error(501, "5.5.4", "Syntax: STARTTLS");
    } else if (moreInput) {
      // RFC 3207 §5: nothing may follow STARTTLS in clear; injected commands must not be obeyed
      reply(554, "5.5.1", "Error: command pipelined after STARTTLS");
      close();
    } else {
      reply(220, "2.0.0", "Ready to start TLS");
      state = State.WAIT_TLS;
      events.add(new SmtpEvent.StartTls());
    }
  }

  private void auth(String arg) {
    if (config.authenticator() == null) {
      error(502, "5.5.1", "Error: AUTH not available");
      return;
    }
    if (!authOffered()) {
      error(538, "5.7.11", "Encryption required for requested authentication mechanism");
      return;
    }
    if (!esmtp) {
      error(503, "5.5.1", "Error: send EHLO first");
      return;
    }
    if (authUser != null) {
      error(503, "5.5.1", "Error: already authenticated");
      return;
    }
    if (sender != null) {
      error(503, "5.5.1", "Error: AUTH not allowed during a mail transaction");
      return;
    }
    String[] parts = arg.split(" ");
    if (arg.isEmpty() || parts.length > 2) {
      error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
      return;
    }
    String mechanism = parts[0].toUpperCase(Locale.ROOT);
    String initial = parts.length == 2 ? parts[1] : null;
    switch (mechanism) {
      case "PLAIN" -> {
        if (initial == null) {
          authMechanism = "PLAIN";
          state = State.AUTH;
          reply(334, null, "");
        } else {
          byte[] decoded = base64(initial);
          if (decoded == null) {
            error(501, "5.5.2", "Error: cannot decode response");
          } else {
            plain(decoded);
          }
        }
      }
      case "LOGIN" -> {
        authMechanism = "LOGIN";
        loginUser = null;
        if (initial == null) {
          state = State.AUTH;
          reply(334, null, USERNAME_PROMPT);
        } else {
          String user = utf8(base64(initial));
          if (user == null) {
            error(501, "5.5.2", "Error: cannot decode response");
            return;
          }
          loginUser = user;
          state = State.AUTH;
          reply(334, null, PASSWORD_PROMPT);
        }
      }
      default -> error(504, "5.5.4", "Error: unrecognized authentication type");
    }
  }

  private void authResponse(byte[] raw, boolean tooLong) {
    state = State.COMMAND;
    if (tooLong) {
      error(500, "5.5.6", "Authentication Exchange line is too long");
      return;
    }
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    if (text.equals("*")) {
      error(501, "5.0.0", "Authentication aborted");
      return;
    }
    byte[] decoded = base64(text);
    if (decoded == null) {
      error(501, "5.5.2", "Error: cannot decode response");
      return;
    }
    if (authMechanism.equals("PLAIN")) {
      plain(decoded);
    } else if (loginUser == null) {
      String user = utf8(decoded);
      if (user == null) {
        error(501, "5.5.2", "Error: cannot decode response");
        return;
      }
      loginUser = user;
      state = State.AUTH;
      reply(334, null, PASSWORD_PROMPT);
    } else {
      String password = utf8(decoded);
      String user = loginUser;
      loginUser = null;
      if (password == null) {
        error(501, "5.5.2", "Error: cannot decode response");
      } else {
        verify(user, password);
      }
    }
  }

  /** RFC 4616: {@code [authzid] NUL authcid NUL passwd}. */
  private void plain(byte[] decoded) {
    String text = utf8(decoded);
    String[] fields = text == null ? new String[0] : text.split("\0", -1);
    if (fields.length != 3 || fields[1].isEmpty()) {
      error(501, "5.5.2", "Error: malformed PLAIN response");
      return;
    }
    if (!fields[0].isEmpty() && !fields[0].equals(fields[1])) {
      error(535, "5.7.8", "Authentication credentials invalid");
      return;
    }
    verify(fields[1], fields[2]);
  }

  private void verify(String user, String password) {
    if (config.authenticator().authenticate(user, password)) {
      authUser = user;
      reply(235, "2.7.0", "Authentication successful");
    } else {
      error(535, "5.7.8", "Authentication credentials invalid");
    }
  }

  private static byte[] base64(String s) {
    if (s.equals("=")) {
      return new byte[0]; // RFC 4954 §4: an empty initial response
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String utf8(byte[] b) {
    if (b == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The index after {@code keyword} (case-insensitive) and any spaces, or -1. */
  private static int prefix(String arg, String keyword) {
    if (!arg.regionMatches(true, 0, keyword, 0, keyword.length())) {
      return -1;
    }
    int i = keyword.length();
    while (i < arg.length() && arg.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** The SP-separated parameters after a path; a null entry marks a syntax error. */
  private static List<String> params(String arg, int from) {
    List<String> params = new ArrayList<>();
    if (from >= arg.length()) {
      return params;
    }
    if (arg.charAt(from) != ' ') {
      params.add(null);
      return params;
    }
    for (String p : SPACES.split(arg.substring(from).trim())) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String key = eq < 0 ? p : p.substring(0, eq);
      params.add(KEYWORD.matcher(key).matches() ? p : null);
    }
    return params;
  }

  private SmtpPolicy.SessionInfo session() {
    return new SmtpPolicy.SessionInfo(client, helo, authUser, tls);
  }

  private void reply(int code, String enhanced, String text) {
    out.write(SmtpReply.of(code, enhanced, text).toBytes());
  }

  /** A protocol error: counted, and the session ends once there have been too many. */
  private void error(int code, String enhanced, String text) {
    reply(code, enhanced, text);
    if (++errors >= config.maxErrors()) {
      reply(421, "4.7.0", config.hostname() + " Error: too many errors");
      close();
    }
  }

  private void close() {
    state = State.CLOSED;
    releaseMemory();
    data = null;
  }

  /** Gives back the memory of the message being received. */
  private void releaseMemory() {
    if (message != null) {
      message.release();
      message = null;
    }
  }

  private void insufficientStorage() {
    reply(452, "4.3.1", "Insufficient system storage; try again later");
  }

  private void armDeadline() {
    deadline =
        switch (state) {
          case COMMAND, AUTH -> now.plus(config.commandTimeout());
          case DATA, BDAT -> now.plus(config.dataTimeout());
          default -> null;
        };
  }
}
