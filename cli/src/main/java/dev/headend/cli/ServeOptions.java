package dev.headend.cli;

import dev.headend.core.net.AddressFormatException;
import dev.headend.core.net.IpAddress;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** What `headend serve` was asked for. */
record ServeOptions(
    IpAddress bind,
    int dnsPort,
    int udpThreads,
    List<ZoneFile> zones,
    List<IpPrefix> transferClients,
    int resolverPort,
    List<InetSocketAddress> rootHints,
    int tftpPort,
    Path tftpRoot,
    long tftpMaxWrite,
    int smtpPort,
    Path mailDir,
    boolean mailLog,
    Path smtpTlsKeystore,
    Path smtpTlsPasswordFile,
    int smtpsPort,
    int dhcpPort,
    IpPrefix dhcpSubnet,
    Ipv4Address dhcpPoolFirst,
    Ipv4Address dhcpPoolLast,
    Path dhcpLeases,
    boolean dhcpFsync,
    String dhcpInterface) {

  /** A zone to load: its origin and master file. */
  record ZoneFile(Name origin, Path file) {}

  static final String USAGE =
      """
      usage: headend serve [options]

        Starts the services headend has, on loopback by default, and prints where they listen.
        Stop it with Ctrl-C (SIGINT) or SIGTERM.

        --bind ADDRESS            address to listen on (default 127.0.0.1)
        --dns-port PORT           authoritative DNS over UDP and TCP (default 5300; 0 = any free port)
        --zone ORIGIN=FILE        serve a zone from an RFC 1035 master file (repeatable);
                                  without it, an embedded example.test. zone is served
        --udp-threads N           UDP sockets sharing the port (default: CPUs, at most 4)
        --allow-transfer PREFIX   clients allowed AXFR (repeatable; default 127.0.0.0/8 and ::1/128)
        --resolver-port PORT      recursive DNS resolver over UDP and TCP (default 5301; -1 = off)
        --root-hint ADDRESS[:PORT]
                                  where the resolver starts (repeatable; default the IANA root
                                  servers; port 53 unless given)
        --tftp-port PORT          TFTP (default 6969; -1 = off)
        --tftp-root DIR           folder TFTP serves (default: headend-tftp in the temp folder,
                                  created if missing)
        --tftp-allow-writes BYTES accept uploads (WRQ) of up to BYTES per file (default: refused)
        --smtp-port PORT          SMTP server accepting mail for example.test (default 5025;
                                  0 = any free port; -1 = off)
        --mail-dir DIR            where received mail is stored (default ./headend-mail)
        --mail-store maildir|log  maildir: one maildir per recipient, a file per message (the
                                  default); log: every mailbox in a few large segment files,
                                  one fdatasync per batch of messages (faster; see mail/README)
        --smtp-tls-keystore FILE  PKCS12 keystore with the server's key and certificate chain:
                                  the SMTP port then offers STARTTLS (default: plain SMTP only)
        --smtp-tls-password-file FILE
                                  the keystore's password, the file's first line (required
                                  with --smtp-tls-keystore)
        --smtps-port PORT         SMTP with implicit TLS (port 465 style; default -1 = off;
                                  0 = any free port; needs --smtp-tls-keystore)
        --dhcp-port PORT          DHCPv4 server (default 6767; 0 = any free port; -1 = off). On
                                  loopback it answers each request to its source (for relays
                                  and test clients) and never broadcasts; elsewhere it follows
                                  RFC 2131 (use 67 and --bind 0.0.0.0 to serve a real link)
        --dhcp-subnet PREFIX      the subnet served (default 192.0.2.0/24, a documentation range)
        --dhcp-pool FIRST-LAST    addresses handed out (default .100 to .199 of the subnet)
        --dhcp-leases DIR         keep leases in a journal in DIR (default: in memory only)
        --dhcp-fsync true|false   fsync the journal before each DHCPACK batch (default true)
        --dhcp-interface NAME     serve only the clients on interface NAME, and broadcast
                                  replies out of it (Linux SO_BINDTOIFINDEX; default: any)

      headend mail-copy FROM TO: moves a mail spool between a maildir and a segment log
      (headend mail-copy --help).
      """;

  static ServeOptions parse(List<String> args) throws UsageException {
    IpAddress bind = IpAddress.parse("127.0.0.1");
    int dnsPort = 5300;
    int udpThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
    List<ZoneFile> zones = new ArrayList<>();
    List<IpPrefix> transfer = new ArrayList<>();
    int resolverPort = 5301;
    List<InetSocketAddress> hints = new ArrayList<>();
    int tftpPort = 6969;
    Path tftpRoot = Path.of(System.getProperty("java.io.tmpdir"), "headend-tftp");
    long tftpMaxWrite = -1;
    int smtpPort = 5025;
    Path mailDir = Path.of("headend-mail");
    boolean mailLog = false;
    Path smtpTlsKeystore = null;
    Path smtpTlsPasswordFile = null;
    int smtpsPort = -1;
    int dhcpPort = 6767;
    IpPrefix dhcpSubnet = IpPrefix.parse("192.0.2.0/24");
    Ipv4Address[] pool = null;
    Path dhcpLeases = null;
    boolean dhcpFsync = true;
    String dhcpInterface = null;
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (option.equals("--help") || option.equals("-h")) {
        throw new UsageException("");
      }
      if (i + 1 >= args.size()) {
        throw new UsageException(option + " needs a value");
      }
      String value = args.get(++i);
      try {
        switch (option) {
          case "--bind" -> bind = IpAddress.parse(value);
          case "--dns-port" -> dnsPort = port(value);
          case "--udp-threads" -> udpThreads = positive(option, value);
          case "--zone" -> zones.add(zone(value));
          case "--allow-transfer" -> transfer.add(IpPrefix.parse(value));
          case "--resolver-port" -> resolverPort = value.equals("-1") ? -1 : port(value);
          case "--root-hint" -> hints.add(hostPort(value));
          case "--tftp-port" -> tftpPort = value.equals("-1") ? -1 : port(value);
          case "--tftp-root" -> tftpRoot = Path.of(value);
          case "--tftp-allow-writes" -> tftpMaxWrite = positive(option, value);
          case "--smtp-port" -> smtpPort = value.equals("-1") ? -1 : port(value);
          case "--mail-dir" -> mailDir = Path.of(value);
          case "--mail-store" -> mailLog = mailStore(value);
          case "--smtp-tls-keystore" -> smtpTlsKeystore = Path.of(value);
          case "--smtp-tls-password-file" -> smtpTlsPasswordFile = Path.of(value);
          case "--smtps-port" -> smtpsPort = value.equals("-1") ? -1 : port(value);
          case "--dhcp-port" -> dhcpPort = value.equals("-1") ? -1 : port(value);
          case "--dhcp-subnet" -> dhcpSubnet = ipv4Prefix(value);
          case "--dhcp-pool" -> pool = range(value);
          case "--dhcp-leases" -> dhcpLeases = Path.of(value);
          case "--dhcp-fsync" -> dhcpFsync = bool(option, value);
          case "--dhcp-interface" -> dhcpInterface = interfaceName(value);
          default -> throw new UsageException("unknown option " + option);
        }
      } catch (AddressFormatException e) {
        throw new UsageException(option + ": " + e.getMessage());
      }
    }
    if ((smtpTlsKeystore == null) != (smtpTlsPasswordFile == null)) {
      throw new UsageException("--smtp-tls-keystore and --smtp-tls-password-file go together");
    }
    if (smtpsPort >= 0 && smtpTlsKeystore == null) {
      throw new UsageException("--smtps-port needs --smtp-tls-keystore");
    }
    if (smtpTlsKeystore != null && smtpPort < 0) {
      throw new UsageException("the SMTP TLS options need the SMTP server (--smtp-port is -1)");
    }
    if (smtpsPort > 0 && smtpsPort == smtpPort) {
      throw new UsageException("--smtps-port and --smtp-port are both " + smtpPort);
    }
    if (dhcpInterface != null && dhcpPort < 0) {
      throw new UsageException("--dhcp-interface needs the DHCP server (--dhcp-port is -1)");
    }
    if (pool == null) {
      int base = ((Ipv4Address) dhcpSubnet.address()).value();
      pool = new Ipv4Address[] {new Ipv4Address(base + 100), new Ipv4Address(base + 199)};
    }
    if (!dhcpSubnet.contains(pool[0]) || !dhcpSubnet.contains(pool[1])) {
      throw new UsageException("--dhcp-pool is not inside --dhcp-subnet " + dhcpSubnet);
    }
    if (transfer.isEmpty()) {
      transfer = List.of(IpPrefix.parse("127.0.0.0/8"), IpPrefix.parse("::1/128"));
    }
    return new ServeOptions(
        bind,
        dnsPort,
        udpThreads,
        List.copyOf(zones),
        List.copyOf(transfer),
        resolverPort,
        List.copyOf(hints),
        tftpPort,
        tftpRoot,
        tftpMaxWrite,
        smtpPort,
        mailDir,
        mailLog,
        smtpTlsKeystore,
        smtpTlsPasswordFile,
        smtpsPort,
        dhcpPort,
        dhcpSubnet,
        pool[0],
        pool[1],
        dhcpLeases,
        dhcpFsync,
        dhcpInterface);
  }

  /** An interface name as Linux allows it; whether it exists is checked when DHCP starts. */
  private static String interfaceName(String value) throws UsageException {
    if (!value.matches("[A-Za-z0-9_.@-]{1,15}")) {
      throw new UsageException("--dhcp-interface: not an interface name: \"" + value + "\"");
    }
    return value;
  }

  InetSocketAddress dhcpAddress() {
    return new InetSocketAddress(bind.toInetAddress(), dhcpPort);
  }

  private static IpPrefix ipv4Prefix(String value) throws UsageException {
    IpPrefix p = IpPrefix.parse(value);
    if (!(p.address() instanceof Ipv4Address) || p.length() > 30) {
      throw new UsageException("--dhcp-subnet wants an IPv4 prefix of /30 or wider: " + value);
    }
    return p;
  }

  private static Ipv4Address[] range(String value) throws UsageException {
    int dash = value.indexOf('-');
    if (dash <= 0) {
      throw new UsageException("--dhcp-pool wants FIRST-LAST, got " + value);
    }
    Ipv4Address first = Ipv4Address.parse(value.substring(0, dash).trim());
    Ipv4Address last = Ipv4Address.parse(value.substring(dash + 1).trim());
    if (Integer.compareUnsigned(first.value(), last.value()) > 0) {
      throw new UsageException("--dhcp-pool: " + first + " is after " + last);
    }
    return new Ipv4Address[] {first, last};
  }

  /** True for the segment log, false for maildir. */
  private static boolean mailStore(String value) throws UsageException {
    return switch (value) {
      case "log" -> true;
      case "maildir" -> false;
      default -> throw new UsageException("--mail-store wants maildir or log, got " + value);
    };
  }

  private static boolean bool(String option, String value) throws UsageException {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException(option + " wants true or false, got " + value);
    };
  }

  InetSocketAddress smtpAddress() {
    return new InetSocketAddress(bind.toInetAddress(), smtpPort);
  }

  InetSocketAddress smtpsAddress() {
    return new InetSocketAddress(bind.toInetAddress(), smtpsPort);
  }

  InetSocketAddress resolverAddress() {
    return new InetSocketAddress(bind.toInetAddress(), resolverPort);
  }

  /**
   * {@code 192.0.2.1}, {@code 192.0.2.1:5353}, {@code [2001:db8::1]:5353} or {@code 2001:db8::1}.
   */
  private static InetSocketAddress hostPort(String value) throws UsageException {
    String host = value;
    int port = 53;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        throw new UsageException("missing ']' in " + value);
      }
      host = value.substring(1, close);
      if (close + 1 < value.length()) {
        if (value.charAt(close + 1) != ':') {
          throw new UsageException("expected ':PORT' after ']' in " + value);
        }
        port = port(value.substring(close + 2));
      }
    } else if (value.indexOf(':') == value.lastIndexOf(':') && value.indexOf(':') > 0) {
      host = value.substring(0, value.indexOf(':'));
      port = port(value.substring(value.indexOf(':') + 1));
    }
    return new InetSocketAddress(IpAddress.parse(host).toInetAddress(), port);
  }

  InetSocketAddress tftpAddress() {
    return new InetSocketAddress(bind.toInetAddress(), tftpPort);
  }

  InetSocketAddress dnsAddress() {
    return new InetSocketAddress(bind.toInetAddress(), dnsPort);
  }

  private static int port(String value) throws UsageException {
    try {
      int p = Integer.parseInt(value);
      if (p < 0 || p > 65535) {
        throw new UsageException("port out of range: " + value);
      }
      return p;
    } catch (NumberFormatException e) {
      throw new UsageException("not a port number: " + value);
    }
  }

  private static int positive(String option, String value) throws UsageException {
    try {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new UsageException(option + " must be at least 1: " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " is not a number: " + value);
    }
  }

  private static ZoneFile zone(String value) throws UsageException {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new UsageException("--zone wants ORIGIN=FILE, got " + value);
    }
    String origin = value.substring(0, eq);
    try {
      return new ZoneFile(
          Name.fromString(origin.endsWith(".") ? origin : origin + "."),
          Path.of(value.substring(eq + 1)));
    } catch (TextParseException e) {
      throw new UsageException("--zone: bad origin " + origin + ": " + e.getMessage());
    }
  }
}
