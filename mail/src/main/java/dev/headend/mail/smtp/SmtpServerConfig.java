package dev.headend.mail.smtp;

import dev.headend.core.net.IpPrefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an {@link SmtpServerEngine} does: its name, extensions, limits, policies. Immutable and
 * shared by every session; build it with {@link #builder(String)}.
 *
 * <pre>{@code
 * SmtpServerConfig config = SmtpServerConfig.builder("mx.example.test")
 *     .localDomains("example.test")
 *     .maxMessageSize(25 << 20)
 *     .build();
 * }</pre>
 */
public final class SmtpServerConfig {
  /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
  public static final int DEFAULT_MAX_COMMAND_LINE = 512;

  /** RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with its CRLF. */
  public static final int DEFAULT_MAX_TEXT_LINE = 1000;

  private final String hostname;
  private final Set<String> localDomains;
  private final List<IpPrefix> relayNetworks;
  private final long maxMessageSize;
  private final int maxRecipients;
  private final int maxErrors;
  private final int maxCommandLine;
  private final int maxTextLine;
  private final Duration commandTimeout;
  private final Duration dataTimeout;
  private final boolean startTls;
  private final boolean implicitTls;
  private final boolean submission;
  private final boolean authWithoutTls;
  private final Authenticator authenticator;
  private final SmtpPolicy policy;
  private final MessageMemory messageMemory;

  private SmtpServerConfig(Builder b) {
    this.hostname = b.hostname;
    this.localDomains = Set.copyOf(b.localDomains);
    this.relayNetworks = List.copyOf(b.relayNetworks);
    this.maxMessageSize = b.maxMessageSize;
    this.maxRecipients = b.maxRecipients;
    this.maxErrors = b.maxErrors;
    this.messageMemory = b.messageMemory;
    this.maxCommandLine = b.maxCommandLine;
    this.maxTextLine = b.maxTextLine;
    this.commandTimeout = b.commandTimeout;
    this.dataTimeout = b.dataTimeout;
    this.startTls = b.startTls;
    this.implicitTls = b.implicitTls;
    this.submission = b.submission;
    this.authWithoutTls = b.authWithoutTls;
    this.authenticator = b.authenticator;
    this.policy = b.policy;
  }

  /** A builder for a server that calls itself {@code hostname} (greeting, Received headers). */
  public static Builder builder(String hostname) {
    return new Builder(hostname);
  }

  /** The server's name. */
  public String hostname() {
    return hostname;
  }

  /** Domains the server accepts mail for from anyone (lower case). */
  public Set<String> localDomains() {
    return localDomains;
  }

  /** Client networks allowed to relay to any domain without AUTH. */
  public List<IpPrefix> relayNetworks() {
    return relayNetworks;
  }

  /** The largest message accepted, in octets (advertised with SIZE). */
  public long maxMessageSize() {
    return maxMessageSize;
  }

  /** Recipients per transaction; more get {@code 452 4.5.3}. */
  public int maxRecipients() {
    return maxRecipients;
  }

  /** Protocol errors a session may make before it is closed with {@code 421}. */
  public int maxErrors() {
    return maxErrors;
  }

  /**
   * The memory all sessions using this configuration share for message content (default: a quarter
   * of the JVM's maximum heap, one limit per builder).
   */
  public MessageMemory messageMemory() {
    return messageMemory;
  }

  /** The longest command line, CRLF included (MAIL and AUTH get the extensions' allowances). */
  public int maxCommandLine() {
    return maxCommandLine;
  }

  /** The longest line of message text in DATA, CRLF included; 0 for no limit. */
  public int maxTextLine() {
    return maxTextLine;
  }

  /** How long the server waits for a command. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** How long the server waits for the next bytes of DATA or BDAT. */
  public Duration dataTimeout() {
    return dataTimeout;
  }

  /** Whether STARTTLS is offered (the adapter must be able to do TLS). */
  public boolean startTls() {
    return startTls;
  }

  /** Whether sessions are TLS from their first byte (port 465, RFC 8314). */
  public boolean implicitTls() {
    return implicitTls;
  }

  /** Whether this is a submission server (RFC 6409): AUTH is required before MAIL. */
  public boolean submission() {
    return submission;
  }

  /** Whether AUTH is offered on sessions without TLS. */
  public boolean authWithoutTls() {
    return authWithoutTls;
  }

  /** The credential check, or {@code null} when AUTH is not offered. */
  public Authenticator authenticator() {
    return authenticator;
  }

  /** The application's policy. */
  public SmtpPolicy policy() {
    return policy;
  }

  /** Builds an {@link SmtpServerConfig}. */
  public static final class Builder {
    private final String hostname;
    private final Set<String> localDomains = new TreeSet<>();
    private final List<IpPrefix> relayNetworks = new ArrayList<>();
    private long maxMessageSize = 10L << 20;
    private int maxRecipients = 100;
    private int maxErrors = 20;
    private MessageMemory messageMemory = MessageMemory.of(Runtime.getRuntime().maxMemory() / 4);
    private int maxCommandLine = DEFAULT_MAX_COMMAND_LINE;
    private int maxTextLine = DEFAULT_MAX_TEXT_LINE;
    private Duration commandTimeout = Duration.ofMinutes(5);
    private Duration dataTimeout = Duration.ofMinutes(3);
    private boolean startTls;
    private boolean implicitTls;
    private boolean submission;
    private boolean authWithoutTls;
    private Authenticator authenticator;
    private SmtpPolicy policy = SmtpPolicy.ACCEPT_ALL;

    private Builder(String hostname) {
      Objects.requireNonNull(hostname, "hostname");
      if (hostname.isEmpty() || !hostname.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
        throw new IllegalArgumentException("not a host name: " + hostname);
      }
      this.hostname = hostname;
    }

    /** Adds domains accepted from anyone (default: none). */
    public Builder localDomains(String... domains) {
      for (String d : domains) {
        localDomains.add(d.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** Adds client networks allowed to relay without AUTH (default: none). */
    public Builder relayNetworks(IpPrefix... networks) {
      relayNetworks.addAll(List.of(networks));
      return this;
    }

    /** The largest message in octets (default 10 MiB). */
    public Builder maxMessageSize(long octets) {
      if (octets < 1) {
        throw new IllegalArgumentException("maxMessageSize must be positive");
      }
      this.maxMessageSize = octets;
      return this;
    }

    /** Recipients per transaction (default 100, the RFC 5321 §4.5.3.1.8 minimum). */
    public Builder maxRecipients(int n) {
      this.maxRecipients = atLeast(1, n, "maxRecipients");
      return this;
    }

    /**
     * The memory limit for message content, shared by every session of every configuration that is
     * given the same one (default: a quarter of the JVM's maximum heap). A message that does not
     * fit gets {@code 452 4.3.1}.
     */
    public Builder messageMemory(MessageMemory memory) {
      this.messageMemory = Objects.requireNonNull(memory, "memory");
      return this;
    }

    /** Protocol errors before the session is closed (default 20). */
    public Builder maxErrors(int n) {
      this.maxErrors = atLeast(1, n, "maxErrors");
      return this;
    }

    /** The longest command line, CRLF included (default 512, at least 512). */
    public Builder maxCommandLine(int octets) {
      this.maxCommandLine = atLeast(DEFAULT_MAX_COMMAND_LINE, octets, "maxCommandLine");
      return this;
    }

    /** The longest text line in DATA, CRLF included (default 1000; 0 = no limit). */
    public Builder maxTextLine(int octets) {
      this.maxTextLine = octets == 0 ? 0 : atLeast(DEFAULT_MAX_TEXT_LINE, octets, "maxTextLine");
      return this;
    }

    /** How long to wait for a command (default 5 minutes, RFC 5321 §4.5.3.2). */
    public Builder commandTimeout(Duration d) {
      this.commandTimeout = positive(d, "commandTimeout");
      return this;
    }

    /** How long to wait for more message data (default 3 minutes, RFC 5321 §4.5.3.2.6). */
    public Builder dataTimeout(Duration d) {
      this.dataTimeout = positive(d, "dataTimeout");
      return this;
    }

    /** Offers STARTTLS (default off; the adapter needs an SSL context). */
    public Builder startTls(boolean on) {
      this.startTls = on;
      return this;
    }

    /** Sessions are TLS from the first byte (default off). */
    public Builder implicitTls(boolean on) {
      this.implicitTls = on;
      return this;
    }

    /** Requires AUTH before MAIL (default off). */
    public Builder submission(boolean on) {
      this.submission = on;
      return this;
    }

    /** Offers AUTH without TLS, which exposes passwords; for tests (default off). */
    public Builder authWithoutTls(boolean on) {
      this.authWithoutTls = on;
      return this;
    }

    /** Offers AUTH PLAIN and LOGIN, checked by {@code authenticator} (default: no AUTH). */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /** The application's policy (default {@link SmtpPolicy#ACCEPT_ALL}). */
    public Builder policy(SmtpPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The configuration. */
    public SmtpServerConfig build() {
      if (submission && authenticator == null) {
        throw new IllegalStateException("a submission server needs an authenticator");
      }
      return new SmtpServerConfig(this);
    }

    private static int atLeast(int min, int n, String what) {
      if (n < min) {
        throw new IllegalArgumentException(what + " must be at least " + min + ": " + n);
      }
      return n;
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }
  }
}
