package dev.headend.mail.smtp.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link SmtpClientEngine} talks to a server. Immutable; build with {@link #builder}.
 *
 * <p>Timeouts default to RFC 5321 §4.5.3.2: 5 minutes for the greeting, MAIL and RCPT (and, here,
 * for EHLO, STARTTLS, AUTH and QUIT), 2 minutes for DATA's 354, 3 minutes per data block and 10
 * minutes for the reply to the terminating dot.
 */
public final class SmtpClientConfig {

  /** Whether to use STARTTLS (RFC 3207). */
  public enum TlsPolicy {
    /** Never, even when offered. */
    NEVER,
    /** When the server offers it; in clear otherwise (opportunistic TLS, the MX default). */
    OPPORTUNISTIC,
    /**
     * Always: a server that does not offer it fails with {@link SmtpClientError#TLS_NOT_OFFERED}.
     */
    REQUIRED
  }

  private final String heloName;
  private final TlsPolicy tls;
  private final String user;
  private final String password;
  private final boolean authWithoutTls;
  private final Duration greetingTimeout;
  private final Duration commandTimeout;
  private final Duration dataInitTimeout;
  private final Duration dataBlockTimeout;
  private final Duration dataTerminationTimeout;

  private SmtpClientConfig(Builder b) {
    this.heloName = b.heloName;
    this.tls = b.tls;
    this.user = b.user;
    this.password = b.password;
    this.authWithoutTls = b.authWithoutTls;
    this.greetingTimeout = b.greetingTimeout;
    this.commandTimeout = b.commandTimeout;
    this.dataInitTimeout = b.dataInitTimeout;
    this.dataBlockTimeout = b.dataBlockTimeout;
    this.dataTerminationTimeout = b.dataTerminationTimeout;
  }

  /** A builder for a client that names itself {@code heloName} in EHLO/HELO. */
  public static Builder builder(String heloName) {
    return new Builder(heloName);
  }

  /** The name given in EHLO/HELO. */
  public String heloName() {
    return heloName;
  }

  /** The STARTTLS policy. */
  public TlsPolicy tls() {
    return tls;
  }

  /** The AUTH user, or {@code null} for no AUTH. */
  public String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** Whether AUTH may be sent in clear. */
  public boolean authWithoutTls() {
    return authWithoutTls;
  }

  /** How long to wait for the greeting. */
  public Duration greetingTimeout() {
    return greetingTimeout;
  }

  /** How long to wait for the reply to EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT and QUIT. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** How long to wait for DATA's 354. */
  public Duration dataInitTimeout() {
    return dataInitTimeout;
  }

  /** How long a data block may take to send (added per 64 KiB of content). */
  public Duration dataBlockTimeout() {
    return dataBlockTimeout;
  }

  /** How long to wait for the reply to the terminating dot. */
  public Duration dataTerminationTimeout() {
    return dataTerminationTimeout;
  }

  /** Builds an {@link SmtpClientConfig}. */
  public static final class Builder {
    private final String heloName;
    private TlsPolicy tls = TlsPolicy.OPPORTUNISTIC;
    private String user;
    private String password;
    private boolean authWithoutTls;
    private Duration greetingTimeout = Duration.ofMinutes(5);
    private Duration commandTimeout = Duration.ofMinutes(5);
    private Duration dataInitTimeout = Duration.ofMinutes(2);
    private Duration dataBlockTimeout = Duration.ofMinutes(3);
    private Duration dataTerminationTimeout = Duration.ofMinutes(10);

    private Builder(String heloName) {
      Objects.requireNonNull(heloName, "heloName");
      if (heloName.isEmpty() || !heloName.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
        throw new IllegalArgumentException("bad EHLO name: " + heloName);
      }
      this.heloName = heloName;
    }

    /** The STARTTLS policy (default {@link TlsPolicy#OPPORTUNISTIC}). */
    public Builder tls(TlsPolicy policy) {
      this.tls = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Authenticate (RFC 4954, PLAIN or LOGIN) as {@code user}. */
    public Builder auth(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Allow AUTH without TLS (default false: credentials never go in clear). */
    public Builder authWithoutTls(boolean allowed) {
      this.authWithoutTls = allowed;
      return this;
    }

    /** See {@link SmtpClientConfig#greetingTimeout()}. */
    public Builder greetingTimeout(Duration d) {
      this.greetingTimeout = positive(d);
      return this;
    }

    /** See {@link SmtpClientConfig#commandTimeout()}. */
    public Builder commandTimeout(Duration d) {
      this.commandTimeout = positive(d);
      return this;
    }

    /** See {@link SmtpClientConfig#dataInitTimeout()}. */
    public Builder dataInitTimeout(Duration d) {
      this.dataInitTimeout = positive(d);
      return this;
    }

    /** See {@link SmtpClientConfig#dataBlockTimeout()}. */
    public Builder dataBlockTimeout(Duration d) {
      this.dataBlockTimeout = positive(d);
      return this;
    }

    /** See {@link SmtpClientConfig#dataTerminationTimeout()}. */
    public Builder dataTerminationTimeout(Duration d) {
      this.dataTerminationTimeout = positive(d);
      return this;
    }

    private static Duration positive(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      return d;
    }

    /** The configuration. */
    public SmtpClientConfig build() {
      return new SmtpClientConfig(this);
    }
  }
}
