package dev.headend.cli;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.LeaseStore;
import dev.headend.dhcp.server.OptionSet;
import dev.headend.dhcp.server.Subnet;
import dev.headend.dhcp.transport.DhcpUdpServer;
import dev.headend.dns.resolver.IterativeResolver;
import dev.headend.dns.resolver.RootHints;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.Zone;
import dev.headend.dns.server.ZoneException;
import dev.headend.dns.server.ZoneSet;
import dev.headend.dns.transport.DnsServer;
import dev.headend.dns.transport.RecursiveDnsServer;
import dev.headend.mail.message.MessageStore;
import dev.headend.mail.smtp.SmtpServerConfig;
import dev.headend.mail.smtp.transport.SmtpServer;
import dev.headend.tftp.DirectoryFiles;
import dev.headend.tftp.TftpFiles;
import dev.headend.tftp.TftpServer;
import dev.headend.tftp.transport.TftpServerTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.xbill.DNS.Name;

/** The running services of `headend serve`; closing it stops them all. */
final class Serve implements AutoCloseable {
  private final List<AutoCloseable> running = new ArrayList<>();
  private final List<String> description = new ArrayList<>();
  private SmtpServer smtpServer;

  private Serve() {}

  /** Starts every service; if one fails, those already started are stopped. */
  static Serve start(ServeOptions options) throws IOException, ZoneException {
    Serve s = new Serve();
    try {
      s.startDns(options);
      if (options.resolverPort() >= 0) {
        s.startResolver(options);
      }
      if (options.tftpPort() >= 0) {
        s.startTftp(options);
      }
      if (options.smtpPort() >= 0) {
        s.startSmtp(options);
      }
      if (options.dhcpPort() >= 0) {
        s.startDhcp(options);
      }
    } catch (IOException | ZoneException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void startDns(ServeOptions options) throws IOException, ZoneException {
    List<Zone> zones = new ArrayList<>();
    if (options.zones().isEmpty()) {
      try (InputStream in = Serve.class.getResourceAsStream("example.test.zone")) {
        zones.add(Zone.parse(in, Name.fromConstantString("example.test."), "example.test.zone"));
      }
    }
    for (ServeOptions.ZoneFile z : options.zones()) {
      zones.add(Zone.parse(z.file(), z.origin()));
    }
    AuthoritativeServer.Builder builder = AuthoritativeServer.builder().zones(ZoneSet.of(zones));
    for (IpPrefix p : options.transferClients()) {
      builder.allowTransfer(p);
    }
    DnsServer dns =
        DnsServer.builder(builder.build())
            .bind(options.dnsAddress())
            .udpThreads(options.udpThreads())
            .start();
    running.add(dns);
    for (Zone z : zones) {
      description.add(
          "dns  authoritative  udp+tcp "
              + hostPort(dns.udpAddress())
              + "  zone "
              + z.origin()
              + " ("
              + z.size()
              + " records, serial "
              + z.serial()
              + ")");
    }
  }

  private void startResolver(ServeOptions options) throws IOException {
    RootHints hints =
        options.rootHints().isEmpty()
            ? RootHints.iana()
            : RootHints.of(options.rootHints().toArray(new InetSocketAddress[0]));
    IterativeResolver.Builder resolver = IterativeResolver.builder(hints);
    if (!options.bind().isLoopback()) {
      // clients on the bound address's own network may use it; anything wider is an open resolver
      resolver.allowClients(
          IpPrefix.containing(options.bind(), options.bind().bitLength() == 32 ? 24 : 64));
    }
    RecursiveDnsServer recursive =
        RecursiveDnsServer.builder(resolver.build()).bind(options.resolverAddress()).start();
    running.add(recursive);
    description.add(
        "dns  recursive      udp+tcp "
            + hostPort(recursive.address())
            + "  root hints: "
            + (options.rootHints().isEmpty()
                ? "the IANA root servers"
                : options.rootHints().toString()));
  }

  private void startTftp(ServeOptions options) throws IOException {
    Path root = options.tftpRoot();
    if (!Files.isDirectory(root)) {
      Files.createDirectories(root);
      Files.writeString(
          root.resolve("hello.txt"), "Served by headend over TFTP. Put your boot files here.\n");
    }
    DirectoryFiles files = TftpFiles.directory(root);
    if (options.tftpMaxWrite() > 0) {
      files = files.allowWrites(options.tftpMaxWrite());
    }
    TftpServerTransport tftp =
        TftpServerTransport.builder(TftpServer.builder(files).build())
            .bind(options.tftpAddress())
            .start();
    running.add(tftp);
    description.add(
        "tftp               udp     "
            + hostPort(tftp.localAddress())
            + "  root "
            + files.root()
            + (options.tftpMaxWrite() > 0
                ? " (uploads up to " + options.tftpMaxWrite() + " bytes)"
                : " (read-only)"));
  }

  private void startSmtp(ServeOptions options) throws IOException {
    SmtpServerConfig.Builder config =
        SmtpServerConfig.builder("mail.example.test").localDomains("example.test");
    if (!options.bind().isLoopback()) {
      // only the bound address's own network may relay; everyone may send to example.test
      config.relayNetworks(
          IpPrefix.containing(options.bind(), options.bind().bitLength() == 32 ? 24 : 64));
    }
    SSLContext tls = null; // loaded first: a bad keystore leaves no mail folder behind
    if (options.smtpTlsKeystore() != null) {
      tls = serverTls(options.smtpTlsKeystore(), options.smtpTlsPasswordFile());
      config.startTls(true);
    }
    Path dir = options.mailDir().toAbsolutePath();
    MessageStore store =
        options.mailLog() ? MessageStore.segmentLog(dir) : MessageStore.maildir(dir);
    running.add(store); // before the servers, so it closes after them
    SmtpServer.Builder smtp = SmtpServer.builder(config.build(), store).bind(options.smtpAddress());
    if (tls != null) {
      smtp.tls(tls);
    }
    SmtpServer plain = smtp.start();
    running.add(plain);
    smtpServer = plain;
    description.add(
        "smtp               tcp     "
            + hostPort(plain.address())
            + "  mail for example.test into "
            + dir
            + (options.mailLog() ? " (segment log)" : " (maildir per recipient)")
            + (tls == null ? "" : ", STARTTLS"));
    if (options.smtpsPort() >= 0) {
      SmtpServer implicit =
          SmtpServer.builder(config.startTls(false).implicitTls(true).build(), store)
              .bind(options.smtpsAddress())
              .tls(tls)
              .start();
      running.add(implicit);
      description.add(
          "smtps              tcp     "
              + hostPort(implicit.address())
              + "  the same, with implicit TLS");
    }
  }

  /** A server TLS context from a PKCS12 keystore whose password is the first line of a file. */
  private static SSLContext serverTls(Path keystore, Path passwordFile) throws IOException {
    char[] password;
    try (BufferedReader r = Files.newBufferedReader(passwordFile)) {
      String line = r.readLine();
      password = (line == null ? "" : line).toCharArray();
    } catch (IOException e) {
      throw new IOException("cannot read the password file " + passwordFile + ": " + e, e);
    }
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      if (!hasKeyEntry(ks)) {
        throw new GeneralSecurityException("it holds no private key (only certificates)");
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      // a wrong password surfaces as an IOException from KeyStore.load
      throw new IOException("cannot use the keystore " + keystore + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private static boolean hasKeyEntry(KeyStore ks) throws KeyStoreException {
    for (String alias : Collections.list(ks.aliases())) {
      if (ks.isKeyEntry(alias)) {
        return true;
      }
    }
    return false;
  }

  private void startDhcp(ServeOptions options) throws IOException {
    IpPrefix subnet = options.dhcpSubnet();
    boolean loopback = options.bind().isLoopback();
    // the server identifier: the bound address when it is on the subnet, else the subnet's first
    Ipv4Address self =
        options.bind() instanceof Ipv4Address b && subnet.contains(b)
            ? b
            : new Ipv4Address(((Ipv4Address) subnet.address()).value() + 1);
    LeaseStore store =
        options.dhcpLeases() == null
            ? LeaseStore.inMemory()
            : LeaseStore.journal(options.dhcpLeases(), 10_000, options.dhcpFsync());
    DhcpServer.Builder server =
        DhcpServer.builder(self)
            .subnet(
                Subnet.builder(subnet)
                    .pool(options.dhcpPoolFirst(), options.dhcpPoolLast())
                    .leaseTime(Duration.ofHours(1))
                    .options(
                        OptionSet.builder()
                            .routers(List.of(self))
                            .domainNameServers(List.of(self))
                            .domainName("example.test")
                            .tftpServerName(self.toString())
                            .build())
                    .build())
            .leaseStore(store)
            .maxOffers(1_000_000);
    if (loopback) {
      // on loopback: answer the sender (a relay or a test client), never broadcast
      server.replyToSource(true);
    }
    InetSocketAddress bindTo = options.dhcpAddress();
    DhcpUdpServer udp;
    try {
      DhcpUdpServer.Builder b = DhcpUdpServer.builder(server.build()).bind(bindTo).daemon(true);
      if (options.dhcpInterface() != null) {
        b.bindToInterface(options.dhcpInterface());
      }
      udp = b.start();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    running.add(store);
    running.add(udp);
    description.add(
        "dhcp               udp     "
            + hostPort(udp.localAddress())
            + (options.dhcpInterface() == null ? "" : " on " + options.dhcpInterface())
            + "  subnet "
            + subnet
            + " pool "
            + options.dhcpPoolFirst()
            + "-"
            + options.dhcpPoolLast()
            + ", server id "
            + self
            + (loopback ? " (replies to the source)" : "")
            + (options.dhcpLeases() == null
                ? ", leases in memory"
                : ", leases in "
                    + options.dhcpLeases()
                    + (options.dhcpFsync() ? " (fsync)" : " (no fsync)")));
  }

  /** The SMTP server, for tests; null when off. */
  SmtpServer smtp() {
    return smtpServer;
  }

  /** One line per service and what it serves. */
  List<String> description() {
    return description;
  }

  /** The DNS server, for tests. */
  DnsServer dns() {
    return (DnsServer) running.get(0);
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public synchronized void close() { // the shutdown hook and main may both stop it
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        running.get(i).close();
      } catch (Exception e) {
        System.err.println("headend: error while stopping: " + e);
      }
    }
    running.clear();
  }
}
