package dev.headend.core.transport;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Ties a socket to one network interface with Linux's {@code SO_BINDTOIFINDEX} (kernel 5.0+): it
 * then receives only what arrives on that interface, broadcasts included, and sends out of it.
 *
 * <p>Java 17 has no socket option for this, so the option is set through the JDK's own {@code
 * setsockopt} wrapper ({@code sun.nio.ch.Net}), which the JVM must open to us: {@code --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED} (or {@code =dev.headend.core} on the module path; the {@code
 * headend} jar's manifest does it). Without it, {@link #bind} says so instead of failing later.
 */
final class InterfaceBinding {
  private static final int SOL_SOCKET = 1;
  private static final int SO_BINDTOIFINDEX = 62;
  static final String OPENS = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

  private InterfaceBinding() {}

  /**
   * The index of interface {@code name}: from {@link NetworkInterface}, else (an interface with no
   * address yet, a DHCP client's, is missing from its list) from {@code /sys/class/net}.
   *
   * @throws IOException if there is no such interface
   */
  static int index(String name) throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not an interface name: " + name);
    }
    NetworkInterface nif = NetworkInterface.getByName(name);
    if (nif != null) {
      return nif.getIndex();
    }
    try {
      return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "ifindex")).trim());
    } catch (NoSuchFileException | NumberFormatException e) {
      throw new IOException("no network interface named " + name, e);
    }
  }

  /**
   * Binds {@code channel} (not yet bound to an address) to interface {@code name}.
   *
   * @throws UnsupportedOperationException off Linux, or when the JVM does not open {@code
   *     sun.nio.ch}
   * @throws IOException if there is no such interface or the kernel refuses (not permitted)
   */
  static void bind(DatagramChannel channel, String name) throws IOException {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")) {
      throw new UnsupportedOperationException(
          "binding a socket to an interface needs Linux (SO_BINDTOIFINDEX); this is " + os);
    }
    int index = index(name);
    Method setIntOption;
    FileDescriptor fd;
    try {
      Method getFd = channel.getClass().getMethod("getFD");
      getFd.setAccessible(true);
      fd = (FileDescriptor) getFd.invoke(channel);
      setIntOption =
          Class.forName("sun.nio.ch.Net")
              .getDeclaredMethod(
                  "setIntOption0",
                  FileDescriptor.class,
                  boolean.class,
                  int.class,
                  int.class,
                  int.class,
                  boolean.class);
      setIntOption.setAccessible(true);
    } catch (RuntimeException | ReflectiveOperationException e) {
      // InaccessibleObjectException when not opened; NoSuchMethod... on a JDK that changed it
      throw new UnsupportedOperationException(
          "binding a socket to interface "
              + name
              + " needs the JVM option "
              + OPENS
              + " (Java has no API for SO_BINDTOIFINDEX): "
              + e,
          e);
    }
    try {
      setIntOption.invoke(null, fd, false, SOL_SOCKET, SO_BINDTOIFINDEX, index, false);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new IOException(
          "cannot bind the socket to interface "
              + name
              + " (index "
              + index
              + "): "
              + cause.getMessage(),
          cause);
    } catch (IllegalAccessException e) {
      throw new UnsupportedOperationException(
          "binding a socket to interface " + name + " needs " + OPENS, e);
    }
  }
}
