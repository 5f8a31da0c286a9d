package dev.headend.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.client.DhcpClient;
import dev.headend.dhcp.client.DhcpClientEvent;
import dev.headend.dhcp.client.DhcpLease;
import dev.headend.dhcp.server.ClientKey;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.DhcpServerEvent;
import dev.headend.dhcp.server.OptionSet;
import dev.headend.dhcp.server.Subnet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The seed's cable-modem boot: a modem asks our DHCP server for an address, finds the TFTP server
 * (option 66) and its config file name (option 67) in the lease our DHCP client engine reports, and
 * fetches with our TFTP client a config the TFTP server generates for the modem's MAC, which it
 * finds from the requesting address through the DHCP server's leases. All engines are the
 * production ones, wired by a simulated network with broadcast delivery.
 */
class CableModemBootFlowTest {
  private static final Ipv4Address HEADEND = Ipv4Address.parse("10.0.0.1");
  private static final InetSocketAddress DHCP_SERVER = new InetSocketAddress("10.0.0.1", 67);

  /** What the provisioning system would render for one modem. */
  static String configFor(ClientKey modem) {
    return "# DOCSIS-style config for " + modem + "\nNetworkAccess 1\nMaxRateDown 100000000\n";
  }

  private final SimulatedNetwork net = new SimulatedNetwork(11);
  private final Map<InetAddress, ClientKey> modemsByAddress = new ConcurrentHashMap<>();

  CableModemBootFlowTest() throws Exception {
    DhcpServer dhcp =
        DhcpServer.builder(HEADEND)
            .subnet(
                Subnet.builder(IpPrefix.parse("10.0.0.0/24"))
                    .pool(Ipv4Address.parse("10.0.0.100"), Ipv4Address.parse("10.0.0.199"))
                    .leaseTime(Duration.ofHours(1))
                    .options(
                        OptionSet.builder()
                            .routers(List.of(HEADEND))
                            .tftpServerName("10.0.0.1")
                            .bootfileName("cm.cfg")
                            .build())
                    .build())
            .build();
    net.attach(DHCP_SERVER, dhcp);
    net.alias(new InetSocketAddress("255.255.255.255", 67), DHCP_SERVER);
    TftpFiles configs =
        TftpFiles.generated(
            (filename, client) -> {
              ClientKey modem = modemsByAddress.get(client.getAddress());
              return filename.equals("cm.cfg") && modem != null
                  ? configFor(modem).getBytes(StandardCharsets.US_ASCII)
                  : null;
            });
    net.attachServer(TftpServer.builder(configs).build());
  }

  /** Boots one modem: DHCP, then TFTP from what the lease says. Returns its lease and config. */
  private Map.Entry<DhcpLease, String> boot(MacAddress mac, int port) throws Exception {
    DhcpClient modem = DhcpClient.builder(mac).build();
    InetSocketAddress unconfigured = new InetSocketAddress("0.0.0.0", 68);
    net.attach(unconfigured, modem);
    net.alias(new InetSocketAddress("255.255.255.255", 68), unconfigured);
    modem.start(net.now());
    net.run(Duration.ofSeconds(30)); // the lease lasts an hour: no renewal in this window
    // the provisioning side learns which modem holds which address from the DHCP server
    for (DhcpServerEvent.Leased l : net.events(DhcpServerEvent.Leased.class)) {
      modemsByAddress.put(l.address().toInetAddress(), l.client());
    }
    DhcpClientEvent.Bound bound =
        net.events(DhcpClientEvent.Bound.class).stream()
            .filter(b -> modem.lease().map(b.lease()::equals).orElse(false))
            .findFirst()
            .orElseThrow();
    DhcpLease lease = bound.lease();
    InetAddress tftpServer = InetAddress.getByName(lease.tftpServerName().orElseThrow());
    String file = lease.bootFileName().orElseThrow();

    MemorySink config = TftpSink.toMemory(64 * 1024);
    TftpTransfer fetch =
        TftpClient.read(
            new InetSocketAddress(tftpServer, 69),
            file,
            config,
            TransferOptions.defaults().blockSize(1428).transferSize(true),
            net.now());
    net.attach(new InetSocketAddress(lease.address().toInetAddress(), port), fetch);
    net.run(Duration.ofSeconds(30));
    assertInstanceOf(TransferEvent.Completed.class, net.outcome(fetch));
    assertTrue(config.committed());
    return Map.entry(lease, new String(config.toByteArray(), StandardCharsets.US_ASCII));
  }

  @Test
  void modemsGetTheirAddressThenTheirOwnConfig() throws Exception {
    MacAddress first = MacAddress.parse("00:11:22:33:44:55");
    Map.Entry<DhcpLease, String> a = boot(first, 40001);
    assertEquals("10.0.0.1", a.getKey().tftpServerName().orElseThrow());
    assertEquals("cm.cfg", a.getKey().bootFileName().orElseThrow());
    assertEquals(configFor(ClientKey.ofMac(first)), a.getValue());

    MacAddress second = MacAddress.parse("00:11:22:33:44:66");
    Map.Entry<DhcpLease, String> b = boot(second, 40002);
    assertNotEquals(a.getKey().address(), b.getKey().address());
    assertEquals(configFor(ClientKey.ofMac(second)), b.getValue());
    assertNotEquals(a.getValue(), b.getValue());
  }

  @Test
  void anAddressWithoutALeaseGetsNoConfig() throws Exception {
    MemorySink sink = TftpSink.toMemory(1000);
    TftpTransfer stranger =
        TftpClient.read(
            new InetSocketAddress("10.0.0.1", 69),
            "cm.cfg",
            sink,
            TransferOptions.defaults(),
            net.now());
    net.attach(new InetSocketAddress("10.0.0.250", 40003), stranger);
    net.run(Duration.ofSeconds(30));
    TransferEvent.Failed f = assertInstanceOf(TransferEvent.Failed.class, net.outcome(stranger));
    assertEquals(dev.headend.tftp.wire.ErrorCode.FILE_NOT_FOUND, f.code());
  }
}
