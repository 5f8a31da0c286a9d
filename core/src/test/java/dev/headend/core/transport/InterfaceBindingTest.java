package dev.headend.core.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link DatagramEndpoint.Builder#bindToInterface}: a socket tied to the loopback interface still
 * serves loopback traffic, and a JVM that does not open {@code sun.nio.ch} gets an error naming the
 * option it lacks. (That a tied socket ignores other links is shown with two links in network
 * namespaces by the DHCP module's {@code DhcpInterfaceBindingInteropTest}.)
 */
class InterfaceBindingTest {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void endpointTiedToLoopbackEchoesLoopbackTraffic() throws Exception {
    String lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress()).getName();
    try (DatagramEndpoint<String> endpoint =
            DatagramEndpoint.builder(new EchoDatagramEngine())
                .bind(ANY_LOOPBACK)
                .bindToInterface(lo)
                .daemon(true)
                .start();
        DatagramSocket client = new DatagramSocket(ANY_LOOPBACK)) {
      client.setSoTimeout(10_000);
      byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
      client.send(new DatagramPacket(hello, hello.length, endpoint.localAddress()));
      DatagramPacket p = new DatagramPacket(new byte[100], 100);
      client.receive(p);
      assertArrayEquals(hello, Arrays.copyOf(p.getData(), p.getLength()));
      assertEquals(endpoint.localAddress(), p.getSocketAddress());
    }
  }

  @Test
  void theSocketCarriesTheInterfacesIndex() throws Exception {
    NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
    InterfaceBinding binding = InterfaceBinding.of(lo.getName());
    assertEquals(lo.getIndex(), binding.index());
    try (DatagramChannel ch = DatagramChannel.open()) {
      assertEquals(0, boundIndex(ch), "an untied socket");
      binding.tie(ch);
      assertEquals(lo.getIndex(), boundIndex(ch), "SO_BINDTOIFINDEX read back");
    }
  }

  /** SO_BINDTOIFINDEX of {@code ch}, read through the JDK's getsockopt wrapper. */
  private static int boundIndex(DatagramChannel ch) throws Exception {
    Method getFd = Class.forName("sun.nio.ch.DatagramChannelImpl").getMethod("getFD");
    getFd.setAccessible(true);
    Method get =
        Class.forName("sun.nio.ch.Net")
            .getDeclaredMethod(
                "getIntOption0", FileDescriptor.class, boolean.class, int.class, int.class);
    get.setAccessible(true);
    return (int) get.invoke(null, getFd.invoke(ch), false, 1, 62);
  }

  @Test
  void aMalformedNameIsRefusedAtOnce() {
    DatagramEndpoint.Builder<String> b = DatagramEndpoint.builder(new EchoDatagramEngine());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.bindToInterface("eth 0"));
    assertTrue(e.getMessage().contains("\"eth 0\""), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.bindToInterface(""));
    assertThrows(IllegalArgumentException.class, () -> b.bindToInterface("../../etc"));
  }

  @Test
  void anInterfaceThatDoesNotExistIsNamedInTheError() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                DatagramEndpoint.builder(new EchoDatagramEngine())
                    .bind(ANY_LOOPBACK)
                    .bindToInterface("hd-no-such0")
                    .daemon(true)
                    .start()
                    .close());
    assertTrue(e.getMessage().contains("no network interface named hd-no-such0"), e.toString());
  }

  @Test
  void withoutTheOpensTheErrorNamesTheJvmOption() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                InterfaceBindingProbe.class.getName())
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("UnsupportedOperationException: "), out);
    assertTrue(out.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), out);
    assertTrue(out.contains("interface lo"), out);
  }

  /** Run without {@code --add-opens}: prints what starting a tied endpoint threw. */
  static final class InterfaceBindingProbe {
    public static void main(String[] args) throws IOException {
      String lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress()).getName();
      try (DatagramEndpoint<String> e =
          DatagramEndpoint.builder(new EchoDatagramEngine())
              .bind(ANY_LOOPBACK)
              .bindToInterface(lo)
              .daemon(true)
              .start()) {
        System.out.println("started on " + e.localAddress() + " without the option");
      } catch (UnsupportedOperationException e) {
        System.out.println("UnsupportedOperationException: " + e.getMessage());
      }
    }
  }
}
