package dev.headend.mail.smtp.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A blocking SMTP test client: writes lines, reads whole (multi-line) replies. */
final class LineClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  LineClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Wraps the connection in TLS as a client (after STARTTLS's 220, or at once for port 465). */
  void startTls(SSLContext context) throws IOException {
    SSLSocket tls =
        (SSLSocket)
            context.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
    tls.setUseClientMode(true);
    tls.startHandshake();
    socket = tls;
    in = tls.getInputStream();
    out = tls.getOutputStream();
  }

  /** Resets the connection (RST, no orderly close), as a client that crashed would. */
  void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  void write(String text) throws IOException {
    write(text.getBytes(StandardCharsets.UTF_8));
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** One reply, all its lines, CRLFs included. */
  String reply() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      String line = line();
      sb.append(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return sb.toString();
      }
    }
  }

  /** Sends a command and returns its reply. */
  String command(String line) throws IOException {
    write(line + "\r\n");
    return reply();
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      if (c == '\n') {
        break;
      }
    }
    if (c < 0 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  /** A read that fails with SocketTimeoutException after {@code millis}. */
  interface Read {
    String read() throws IOException;
  }

  String withTimeout(int millis, Read read) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      return read.read();
    } finally {
      socket.setSoTimeout(before);
    }
  }

  /** Reads (and drops) whatever comes until the server closes; false if it stays open. */
  boolean drainUntilClosed() throws IOException {
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // a TLS alert, perhaps
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  /** Whether the server has closed the connection (reads end of stream). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
