package dev.headend.dns.resolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Name;

/**
 * Where a resolver starts: the root servers' names and addresses. Only addresses are needed to
 * start; names are kept for logs. Unlike servers learned from referrals (always port 53), a hint
 * may carry another port, which lets a lab run its own root on a high port.
 *
 * <pre>{@code
 * RootHints.iana()                                        // the real root servers, IPv4
 * RootHints.of(new InetSocketAddress("127.0.53.1", 53))   // a private root
 * }</pre>
 */
public final class RootHints {
  /**
   * One root server.
   *
   * @param name its name (informational)
   * @param address where to send queries
   */
  public record Server(Name name, InetSocketAddress address) {
    /** Checks for nulls. */
    public Server {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(address, "address");
    }
  }

  private static final String[][] IANA = {
    {"a", "198.41.0.4"}, {"b", "170.247.170.2"}, {"c", "192.33.4.12"}, {"d", "199.7.91.13"},
    {"e", "192.203.230.10"}, {"f", "192.5.5.241"}, {"g", "192.112.36.4"}, {"h", "198.97.190.53"},
    {"i", "192.36.148.17"}, {"j", "192.58.128.30"}, {"k", "193.0.14.129"}, {"l", "199.7.83.42"},
    {"m", "202.12.27.33"},
  };

  private final List<Server> servers;

  private RootHints(List<Server> servers) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("root hints need at least one server");
    }
    this.servers = List.copyOf(servers);
  }

  /** The IANA root servers' IPv4 addresses (root hints file of 2024). */
  public static RootHints iana() {
    List<Server> list = new ArrayList<>();
    for (String[] s : IANA) {
      try {
        list.add(
            new Server(
                Name.fromConstantString(s[0] + ".root-servers.net."),
                new InetSocketAddress(InetAddress.getByName(s[1]), 53)));
      } catch (UnknownHostException e) {
        throw new AssertionError("a literal address failed to parse", e);
      }
    }
    return new RootHints(list);
  }

  /** Hints of the given servers. */
  public static RootHints of(List<Server> servers) {
    return new RootHints(servers);
  }

  /** Hints of bare addresses (named {@code rootN.hint.}). */
  public static RootHints of(InetSocketAddress... addresses) {
    List<Server> list = new ArrayList<>();
    for (int i = 0; i < addresses.length; i++) {
      list.add(new Server(Name.fromConstantString("root" + i + ".hint."), addresses[i]));
    }
    return new RootHints(list);
  }

  /** The servers. */
  public List<Server> servers() {
    return servers;
  }

  @Override
  public String toString() {
    return "RootHints" + servers;
  }
}
