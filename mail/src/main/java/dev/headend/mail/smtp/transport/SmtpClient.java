package dev.headend.mail.smtp.transport;

import dev.headend.mail.smtp.client.DeliveryResult;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.SmtpClientConfig;
import dev.headend.mail.smtp.client.SmtpClientEngine;
import dev.headend.mail.smtp.client.SmtpClientEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Delivers one message to one SMTP server over a blocking socket: the {@link SmtpClientEngine}
 * driven on the calling thread, STARTTLS by layering the JDK's {@link SSLSocket} over the connected
 * socket.
 *
 * <p>Blocking on purpose: an outgoing delivery is one conversation, strictly turn by turn, tried
 * host after host; a thread per delivery (a small pool of them) is the simplest correct adapter and
 * keeps the TLS upgrade to three lines. The engine is a {@link dev.headend.core.StreamEngine}, so
 * thousands of concurrent deliveries can run on {@link dev.headend.core.transport.StreamTransport}
 * instead.
 *
 * <pre>{@code
 * SmtpClient client = new SmtpClient(SmtpClientConfig.builder("mx.example.org").build(),
 *     SSLContext.getDefault(), Duration.ofSeconds(30), Clock.systemUTC());
 * DeliveryResult r = client.deliver(new InetSocketAddress("192.0.2.25", 25), "mx.example.net", msg);
 * }</pre>
 */
public final class SmtpClient {
  private final SmtpClientConfig config;
  private final SSLContext tls;
  private final Duration connectTimeout;
  private final Clock clock;

  /**
   * A client.
   *
   * @param config the dialogue's configuration
   * @param tls the context for STARTTLS (its trust managers decide which certificates pass); may be
   *     {@code null} only when the configuration's TLS policy is {@code NEVER}
   * @param connectTimeout how long a TCP connect may take
   * @param clock where time comes from
   */
  public SmtpClient(SmtpClientConfig config, SSLContext tls, Duration connectTimeout, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    if (tls == null && config.tls() != SmtpClientConfig.TlsPolicy.NEVER) {
      throw new IllegalArgumentException("STARTTLS needs an SSLContext (or TlsPolicy.NEVER)");
    }
    this.tls = tls;
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Connects to {@code server} and delivers {@code message}; never throws for network trouble: a
   * refused or timed-out connection is a {@link
   * dev.headend.mail.smtp.client.SmtpClientError#CONNECTION_FAILED} result.
   *
   * @param server where to connect
   * @param serverName the server's host name, for TLS (SNI and, if the context checks it, the
   *     certificate)
   * @param message what to deliver
   */
  public DeliveryResult deliver(
      InetSocketAddress server, String serverName, OutgoingMessage message) {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(server, (int) Math.max(1, connectTimeout.toMillis()));
    } catch (IOException e) {
      close(socket);
      return DeliveryResult.connectionFailed(message.recipients(), server + ": " + e.getMessage());
    }
    SmtpClientEngine engine = SmtpClientEngine.start(config, message, clock.instant());
    DeliveryResult result = null;
    Socket s = socket;
    try {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[16384];
      while (!engine.isClosed()) {
        for (ByteBuffer b; (b = engine.pollOutput()) != null; ) {
          out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
        out.flush();
        for (SmtpClientEvent e; (e = engine.nextEvent()) != null; ) {
          if (e instanceof SmtpClientEvent.Finished f) {
            result = f.result();
          } else if (e instanceof SmtpClientEvent.StartTls) {
            if (tls == null) {
              engine.tlsFailed(clock.instant());
              continue;
            }
            try {
              SSLSocket ssl =
                  (SSLSocket)
                      tls.getSocketFactory().createSocket(s, serverName, server.getPort(), true);
              ssl.setUseClientMode(true);
              ssl.setSoTimeout((int) Math.max(1, config.commandTimeout().toMillis()));
              ssl.startHandshake();
              s = ssl;
              in = s.getInputStream();
              out = s.getOutputStream();
              engine.tlsStarted(clock.instant());
            } catch (IOException ex) {
              engine.tlsFailed(clock.instant());
            }
          }
        }
        if (engine.isClosed()) {
          break;
        }
        ByteBuffer more = engine.pollOutput();
        if (more != null) {
          // output produced by an event (EHLO after TLS): write it before reading
          out.write(more.array(), more.arrayOffset() + more.position(), more.remaining());
          continue;
        }
        Instant deadline = engine.pollTimeout();
        long wait =
            deadline == null
                ? 1000
                : Math.max(1, Duration.between(clock.instant(), deadline).toMillis());
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, wait));
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          engine.handleTimeout(clock.instant());
          continue;
        }
        if (n < 0) {
          engine.endOfInput();
        } else {
          engine.receive(clock.instant(), ByteBuffer.wrap(buf, 0, n));
        }
      }
      for (SmtpClientEvent e; (e = engine.nextEvent()) != null; ) {
        if (e instanceof SmtpClientEvent.Finished f) {
          result = f.result();
        }
      }
    } catch (IOException e) {
      if (result == null) {
        engine.endOfInput(); // a reset counts as a close
        for (SmtpClientEvent ev; (ev = engine.nextEvent()) != null; ) {
          if (ev instanceof SmtpClientEvent.Finished f) {
            result = f.result();
          }
        }
      }
    } finally {
      close(s);
    }
    return result != null
        ? result
        : DeliveryResult.connectionFailed(message.recipients(), "session ended without a result");
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing more to do with a socket that will not close
      assert e != null;
    }
  }
}
