package dev.headend.core.transport;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.InaccessibleObjectException;
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
 * Ties sockets to one network interface with Linux's {@code SO_BINDTOIFINDEX} (kernel 5.0+; before
 * 5.7 it needs CAP_NET_RAW): a tied socket receives only what arrives on that interface, broadcasts
 * included, and sends out of it. Resolved once per endpoint ({@link #of}), then applied to each of
 * its sockets ({@link #tie}).
 *
 * <p>Java 17 has no socket option for this, so the option is set through the JDK's own {@code
 * setsockopt} wrapper ({@code sun.nio.ch.Net}), which the JVM must open to this module ({@link
 * #opens()}: {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} on the class path; the {@code
 * headend} jar's manifest does it). Without it, {@link #of} says so.
 *
 * <p>The kernel takes any index without checking it, so the name is resolved with care: through
 * {@link NetworkInterface}, which asks the process's own network namespace; for an interface it
 * does not list (one without addresses, a DHCP client's), through {@code /sys/class/net}, after
 * {@code /proc/self/net/dev} (always the process's namespace) has confirmed the name exists here.
 */
final class InterfaceBinding {
  private static final int SOL_SOCKET = 1;
  private static final int SO_BINDTOIFINDEX = 62;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");

  private final String name;
  private final int index;
  private final Method getFd;
  private final Method setIntOption;

  private InterfaceBinding(String name, int index, Method getFd, Method setIntOption) {
    this.name = name;
    this.index = index;
    this.getFd = getFd;
    this.setIntOption = setIntOption;
  }

  /**
   * Checks that {@code name} can be an interface name.
   *
   * @throws IllegalArgumentException if it cannot
   */
  static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "not an interface name (1-15 of A-Z a-z 0-9 _ . @ -): \"" + name + "\"");
    }
    return name;
  }

  /** The JVM option that opens what this needs, for this module. */
  static String opens() {
    Module m = InterfaceBinding.class.getModule();
    return "--add-opens java.base/sun.nio.ch=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED");
  }

  /**
   * Resolves interface {@code name} and the JDK methods that tie a socket to it.
   *
   * @throws IOException if there is no such interface in this network namespace
   * @throws UnsupportedOperationException off Linux, when the JVM does not open {@code sun.nio.ch},
   *     or on a JDK whose internals differ from Java 17's
   */
  static InterfaceBinding of(String name) throws IOException {
    checkName(name);
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")) {
      throw new UnsupportedOperationException(
          "binding a socket to an interface needs Linux (SO_BINDTOIFINDEX); this is " + os);
    }
    int index = index(name);
    try {
      Method getFd = Class.forName("sun.nio.ch.DatagramChannelImpl").getMethod("getFD");
      getFd.setAccessible(true);
      Method setIntOption =
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
      return new InterfaceBinding(name, index, getFd, setIntOption);
    } catch (InaccessibleObjectException e) {
      throw new UnsupportedOperationException(
          "binding a socket to interface "
              + name
              + " needs the JVM option "
              + opens()
              + " (Java has no API for SO_BINDTOIFINDEX)",
          e);
    } catch (ReflectiveOperationException e) {
      throw new UnsupportedOperationException(
          "binding a socket to interface "
              + name
              + " goes through JDK internals written against Java 17, and this JDK ("
              + Runtime.version()
              + ") differs: "
              + e,
          e);
    }
  }

  private static int index(String name) throws IOException {
    NetworkInterface nif = NetworkInterface.getByName(name);
    if (nif != null) {
      return nif.getIndex();
    }
    boolean here = false;
    for (String line : Files.readAllLines(Path.of("/proc/self/net/dev"))) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
        here = true;
        break;
      }
    }
    if (!here) {
      throw new IOException("no network interface named " + name);
    }
    try {
      return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "ifindex")).trim());
    } catch (NoSuchFileException | NumberFormatException e) {
      throw new IOException(
          "cannot find the index of network interface " + name + " in /sys/class/net", e);
    }
  }

  /** The interface's name. */
  String name() {
    return name;
  }

  /** The interface's index, as the socket gets it. */
  int index() {
    return index;
  }

  /**
   * Ties {@code channel}, not yet bound to an address, to the interface.
   *
   * @throws IOException if the kernel refuses (not permitted, kernel older than 5.0)
   */
  void tie(DatagramChannel channel) throws IOException {
    try {
      FileDescriptor fd = (FileDescriptor) getFd.invoke(channel);
      setIntOption.invoke(null, fd, false, SOL_SOCKET, SO_BINDTOIFINDEX, index, false);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new IOException(
          "cannot bind the socket to interface "
              + name
              + " (index "
              + index
              + "; SO_BINDTOIFINDEX needs Linux 5.0, and CAP_NET_RAW before 5.7): "
              + cause.getMessage(),
          cause);
    } catch (IllegalAccessException | IllegalArgumentException e) {
      // a channel that is not the JDK's own implementation
      throw new IOException(
          "cannot bind a " + channel.getClass().getName() + " to interface " + name, e);
    }
  }
}
