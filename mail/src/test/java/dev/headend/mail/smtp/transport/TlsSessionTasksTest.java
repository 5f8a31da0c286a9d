package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.smtp.SmtpServerConfig;
import dev.headend.mail.smtp.SmtpServerEngine;
import dev.headend.testkit.TestKeystore;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handshake tasks go to the executor, and come back only for a connection still open. */
class TlsSessionTasksTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  @TempDir Path dir;

  private final List<Runnable> held = new ArrayList<>();
  private final List<Runnable> resumed = new ArrayList<>();
  private final AtomicBoolean open = new AtomicBoolean(true);

  /** An implicit-TLS session that has received a client's hello and handed out its tasks. */
  private TlsSession sessionAfterClientHello() throws Exception {
    TestKeystore tls = TestKeystore.create(dir);
    SmtpServerEngine smtp =
        SmtpServerEngine.open(
            SmtpServerConfig.builder("mx.example.test").implicitTls(true).build(),
            new InetSocketAddress("127.0.0.1", 40000),
            "c1",
            T0);
    TlsSession session =
        new TlsSession(smtp, tls.server(), true, T0, held::add, resumed::add, open::get);
    SSLEngine client = tls.client().createSSLEngine("mx.example.test", 25);
    client.setUseClientMode(true);
    ByteBuffer hello = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
    client.wrap(ByteBuffer.allocate(0), hello);
    hello.flip();
    session.receive(T0, hello);
    assertEquals(1, held.size(), "the hello's processing went to the executor");
    return session;
  }

  @Test
  void tasksResumeTheSessionOnItsThread() throws Exception {
    TlsSession session = sessionAfterClientHello();
    assertNull(session.pollOutput(), "nothing before the tasks ran");
    held.remove(0).run();
    assertEquals(1, resumed.size());
    resumed.remove(0).run(); // on the connection's thread
    ByteBuffer serverHello = session.pollOutput();
    assertNotNull(serverHello, "the ServerHello once the tasks ran");
    assertTrue(serverHello.remaining() > 0);
  }

  @Test
  void tasksOfAClosedConnectionAreDroppedUnrun() throws Exception {
    sessionAfterClientHello();
    open.set(false); // the client left while the tasks waited
    held.remove(0).run();
    assertTrue(resumed.isEmpty(), "no resume, no key exchange");
    assertTrue(held.isEmpty());
  }
}
