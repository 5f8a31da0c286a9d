package dev.headend.mail.smtp.transport;

import dev.headend.core.StreamEngine;
import dev.headend.mail.smtp.SmtpEvent;
import dev.headend.mail.smtp.SmtpServerEngine;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One SMTP connection as the transport sees it: the SMTP engine, behind the JDK's {@link SSLEngine}
 * once STARTTLS has been accepted (or from the first byte with implicit TLS). The SSLEngine is
 * itself sans-I/O, so this layer only moves bytes between the socket side and the SMTP engine:
 * encrypted input is unwrapped into plaintext for the engine, the engine's replies are wrapped.
 *
 * <p>Bounded: at most one TLS record of encrypted input and one of plaintext are held; when the
 * engine pushes back, the layer stops taking input and the transport stops reading the socket.
 * Handshake tasks (the key exchange and signatures, milliseconds of CPU each) run on the given
 * executor, so that a burst of handshakes does not stall the other connections of the I/O thread;
 * meanwhile the session neither reads nor writes TLS, and it resumes on the connection's thread
 * through {@code resume} (which runs a task there and then writes the session's output). Tasks of a
 * connection closed while they waited are dropped unrun.
 */
final class TlsSession implements StreamEngine<SmtpEvent> {
  private static final System.Logger LOG = System.getLogger(TlsSession.class.getName());
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final SmtpServerEngine smtp;
  private final SSLContext context;
  private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
  private SSLEngine ssl; // null while in clear
  private ByteBuffer netIn; // encrypted input, write mode
  private ByteBuffer appIn; // decrypted input the engine has not taken yet, write mode
  private boolean handshakeDone;
  private boolean startTlsPending;
  private boolean closeNotifySent;
  private boolean failed;
  private boolean tasksRunning; // handshake tasks are out on the executor: hands off the SSLEngine
  private Instant now;
  private final Executor tasks;
  private final Consumer<Runnable> resume;
  private final BooleanSupplier open;

  TlsSession(
      SmtpServerEngine smtp,
      SSLContext context,
      boolean implicit,
      Instant now,
      Executor tasks,
      Consumer<Runnable> resume,
      BooleanSupplier open) {
    this.smtp = smtp;
    this.context = context;
    this.now = now;
    this.tasks = tasks;
    this.resume = resume;
    this.open = open;
    if (implicit) {
      begin();
    }
  }

  SmtpServerEngine smtp() {
    return smtp;
  }

  private void begin() {
    ssl = context.createSSLEngine();
    ssl.setUseClientMode(false);
    netIn = ByteBuffer.allocate(ssl.getSession().getPacketBufferSize());
    appIn = ByteBuffer.allocate(ssl.getSession().getApplicationBufferSize());
    try {
      ssl.beginHandshake();
    } catch (SSLException e) {
      fail(e);
    }
  }

  @Override
  public void receive(Instant now, ByteBuffer bytes) {
    this.now = now;
    if (ssl == null) {
      smtp.receive(now, bytes);
      return;
    }
    if (failed) {
      bytes.position(bytes.limit());
      return;
    }
    int n = Math.min(netIn.remaining(), bytes.remaining());
    ByteBuffer slice = bytes.slice();
    slice.limit(n);
    netIn.put(slice);
    bytes.position(bytes.position() + n);
    process();
  }

  @Override
  public void endOfInput() {
    smtp.endOfInput();
  }

  @Override
  public SmtpEvent nextEvent() {
    if (ssl != null && !failed) {
      process(); // plaintext held back while the engine waited may be taken now
    }
    SmtpEvent e = smtp.nextEvent();
    if (e instanceof SmtpEvent.StartTls) {
      ByteBuffer clear;
      while ((clear = smtp.pollOutput()) != null) {
        output.add(clear); // the 220 goes out before the handshake, in clear
      }
      startTlsPending = true;
      begin();
    }
    return e;
  }

  @Override
  public ByteBuffer pollOutput() {
    if (ssl == null) {
      return smtp.pollOutput();
    }
    if (output.isEmpty() && !failed && handshakeDone && !tasksRunning) {
      ByteBuffer plain;
      try {
        while (output.isEmpty() && (plain = smtp.pollOutput()) != null) {
          wrap(plain);
        }
        if (output.isEmpty() && smtp.isClosed() && !closeNotifySent) {
          closeNotifySent = true;
          ssl.closeOutbound();
          wrap(EMPTY);
        }
      } catch (SSLException e) {
        fail(e);
      }
    }
    return output.pollFirst();
  }

  @Override
  public Instant pollTimeout() {
    return smtp.pollTimeout();
  }

  @Override
  public void handleTimeout(Instant now) {
    this.now = now;
    smtp.handleTimeout(now);
  }

  @Override
  public boolean isClosed() {
    if (failed) {
      return true;
    }
    if (ssl == null || !handshakeDone) {
      return smtp.isClosed();
    }
    return smtp.isClosed() && closeNotifySent;
  }

  /** Runs the handshake and unwraps input as far as it goes, feeding plaintext to the engine. */
  private void process() {
    if (tasksRunning) {
      return; // tasksDone() carries on
    }
    try {
      boolean progress = true;
      while (progress && !failed) {
        progress = false;
        HandshakeStatus hs = ssl.getHandshakeStatus();
        if (hs == HandshakeStatus.NEED_TASK) {
          runTasks();
          return;
        } else if (hs == HandshakeStatus.NEED_WRAP) {
          wrap(EMPTY);
          progress = true;
        } else if (netIn.position() > 0 || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
          netIn.flip();
          SSLEngineResult r = ssl.unwrap(netIn, appIn);
          netIn.compact();
          switch (r.getStatus()) {
            case OK -> progress = r.bytesConsumed() > 0 || r.bytesProduced() > 0;
            case BUFFER_UNDERFLOW -> {
              int need = ssl.getSession().getPacketBufferSize();
              if (netIn.capacity() < need) {
                netIn = grow(netIn, need);
              }
            }
            case BUFFER_OVERFLOW -> {
              int need = ssl.getSession().getApplicationBufferSize();
              if (appIn.capacity() - appIn.position() < need && appIn.position() == 0) {
                appIn = grow(appIn, need);
                progress = true;
              }
              // otherwise wait until the engine has taken the plaintext already there
            }
            case CLOSED -> {
              if (!smtp.isClosed()) {
                smtp.endOfInput(); // the client's close_notify
              }
            }
          }
          if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeFinished();
            progress = true;
          }
        }
        if (handshakeDone && appIn.position() > 0 && !smtp.isClosed()) {
          appIn.flip();
          int before = appIn.remaining();
          smtp.receive(now, appIn);
          progress |= appIn.remaining() != before;
          appIn.compact();
        }
      }
    } catch (SSLException e) {
      fail(e);
    }
  }

  /** Hands the SSLEngine's pending tasks to the executor; the session waits for tasksDone(). */
  private void runTasks() {
    List<Runnable> pending = new ArrayList<>();
    for (Runnable t; (t = ssl.getDelegatedTask()) != null; ) {
      pending.add(t);
    }
    tasksRunning = true;
    try {
      tasks.execute(
          () -> {
            if (!open.getAsBoolean()) {
              return; // the client left while this waited: no key exchange for nobody
            }
            try {
              for (Runnable t : pending) {
                t.run();
              }
            } catch (RuntimeException e) {
              resume.accept(() -> tasksDone(e));
              return;
            } catch (Error e) {
              resume.accept(() -> tasksDone(e));
              throw e;
            }
            resume.accept(() -> tasksDone(null));
          });
    } catch (RuntimeException e) { // RejectedExecutionException: shutting down, or too many
      tasksRunning = false;
      fail(new SSLException("no thread for the TLS handshake", e));
    }
  }

  /** On the connection's thread, once the handshake tasks ran. */
  private void tasksDone(Throwable failure) {
    tasksRunning = false;
    if (failure != null) {
      fail(new SSLException("a TLS handshake task failed", failure));
      return;
    }
    process();
  }

  private void wrap(ByteBuffer plain) throws SSLException {
    do {
      ByteBuffer dst = ByteBuffer.allocate(ssl.getSession().getPacketBufferSize());
      SSLEngineResult r = ssl.wrap(plain, dst);
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        throw new SSLException("TLS record does not fit the packet buffer");
      }
      dst.flip();
      if (dst.hasRemaining()) {
        output.add(dst);
      }
      if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
        handshakeFinished();
      }
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        return;
      }
      if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
        return;
      }
    } while (plain.hasRemaining());
  }

  private void handshakeFinished() {
    if (handshakeDone) {
      return;
    }
    handshakeDone = true;
    if (startTlsPending) {
      startTlsPending = false;
      smtp.tlsStarted(now);
    }
  }

  private void fail(SSLException e) {
    LOG.log(Level.DEBUG, "TLS failed", e);
    failed = true;
    try {
      ssl.closeOutbound(); // an alert for the peer, if the engine has one
      ByteBuffer dst = ByteBuffer.allocate(ssl.getSession().getPacketBufferSize());
      ssl.wrap(EMPTY, dst);
      dst.flip();
      if (dst.hasRemaining()) {
        output.add(dst);
      }
    } catch (SSLException | RuntimeException again) {
      LOG.log(Level.DEBUG, "no TLS alert", again);
    }
  }

  private static ByteBuffer grow(ByteBuffer b, int capacity) {
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, b.position()));
    b.flip();
    bigger.put(b);
    return bigger;
  }
}
