package dev.headend.dhcp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.server.DhcpServerEvent;
import dev.headend.dhcp.wire.ClientId;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DhcpClientTest {
  private static final InetSocketAddress BROADCAST = new InetSocketAddress("255.255.255.255", 67);
  private static final Ipv4Address FIRST = Ipv4Address.parse("10.99.0.100");

  @Test
  void doraBindsWithTheWholeLease() throws Exception {
    Link link = Link.standard();
    assertEquals(DhcpClientState.INIT, link.client.state());
    link.start();
    assertEquals(
        List.of(DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST),
        link.sent.stream().map(Link.Sent::type).toList());
    assertEquals(DhcpClientState.BOUND, link.client.state());
    DhcpLease lease = link.events(DhcpClientEvent.Bound.class).get(0).lease();
    assertEquals(FIRST, lease.address());
    assertEquals(Link.SERVER, lease.serverId());
    assertEquals(Ipv4Address.parse("255.255.255.0"), lease.subnetMask().orElseThrow());
    assertEquals(List.of(Link.SERVER), lease.routers());
    assertEquals(List.of(Ipv4Address.parse("10.99.0.53")), lease.domainNameServers());
    assertEquals("example.test", lease.domainName().orElseThrow());
    assertEquals("tftp.example.test", lease.tftpServerName().orElseThrow());
    assertEquals("pxelinux.0", lease.bootFileName().orElseThrow());
    assertEquals(Duration.ofHours(1), lease.leaseTime());
    assertEquals(Duration.ofMinutes(30), lease.renewalTime());
    assertEquals(Duration.ofSeconds(3150), lease.rebindingTime());
    assertEquals(link.clock.instant(), lease.acquired());
    assertEquals(link.clock.instant().plusSeconds(3600), lease.expires());
    assertEquals(lease.renewAt(), link.client.pollTimeout());
    assertEquals(lease, link.client.lease().orElseThrow());
    assertEquals(FIRST, link.serverEvents(DhcpServerEvent.Leased.class).get(0).address());
  }

  @Test
  void discoverIsBroadcastWithTheDefaultParameterRequestList() throws Exception {
    Link link = Link.standard();
    link.serverUp = false;
    link.start();
    Link.Sent d = link.last();
    assertEquals(DhcpMessageType.DISCOVER, d.type());
    assertEquals(BROADCAST, d.to());
    assertTrue(d.message().broadcast());
    assertEquals(DhcpMessage.BOOTREQUEST, d.message().op());
    assertEquals(Link.MAC, d.message().clientMac().orElseThrow());
    assertEquals(
        List.of(1, 3, 6, 15, 51, 54, 58, 59, 66, 67),
        d.message().parameterRequestList().orElseThrow());
    assertFalse(d.message().clientId().isPresent());
    assertEquals(DhcpClientState.SELECTING, link.client.state());
  }

  @Test
  void clientIdentifierAndParameterListAreConfigurable() throws Exception {
    ClientId id = ClientId.of(0, "router-7".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    Link link =
        Link.of(
            DhcpClient.builder(Link.MAC)
                .clientId(id)
                .parameterRequestList(List.of(1, 3, 121))
                .hostName("cpe7"));
    link.start();
    for (Link.Sent s : link.sent) {
      assertEquals(id, s.message().clientId().orElseThrow());
      assertEquals(List.of(1, 3, 121), s.message().parameterRequestList().orElseThrow());
      assertEquals("cpe7", s.message().hostName().orElseThrow());
    }
    assertEquals(DhcpClientState.BOUND, link.client.state());
    assertEquals(
        id.toBytes().length,
        link.client.lease().orElseThrow().ack().clientId().orElseThrow().toBytes().length);
  }

  @Test
  void requestInSelectingCarriesTheOfferAndServerIdentifier() throws Exception {
    Link link = Link.standard();
    link.start();
    Link.Sent r = link.sent.get(1);
    assertEquals(FIRST, r.message().requestedAddress().orElseThrow());
    assertEquals(Link.SERVER, r.message().serverIdentifier().orElseThrow());
    assertEquals(Ipv4Address.ANY, r.message().ciaddr());
    assertEquals(link.sent.get(0).message().xid(), r.message().xid());
    assertEquals(BROADCAST, r.to());
  }

  @Test
  void discoverIsRetransmittedWithRandomizedExponentialBackoffCappedAt64s() {
    Link link = Link.standard();
    link.serverUp = false;
    link.start();
    Instant prev = link.clock.instant();
    long[] base = {4, 8, 16, 32, 64, 64, 64};
    int xid = link.last().message().xid();
    for (long b : base) {
      Instant t = link.fire();
      long ms = Duration.between(prev, t).toMillis();
      assertTrue(ms >= b * 1000 - 1000 && ms <= b * 1000 + 1000, b + " s ±1 s, got " + ms);
      assertEquals(DhcpMessageType.DISCOVER, link.last().type());
      assertEquals(xid, link.last().message().xid());
      assertEquals(
          Duration.between(link.sent.get(0).at(), t).toSeconds(), link.last().message().secs());
      prev = t;
    }
    assertEquals(8, link.sent.size());
  }

  @Test
  void jitterDiffersBetweenRetransmissions() {
    Link link = Link.standard();
    link.serverUp = false;
    link.start();
    Instant prev = link.clock.instant();
    java.util.Set<Long> offsets = new java.util.HashSet<>();
    for (int i = 0; i < 6; i++) {
      Instant t = link.fire();
      offsets.add(Duration.between(prev, t).toMillis() % 1000);
      prev = t;
    }
    assertTrue(offsets.size() > 1, "jitter is random: " + offsets);
  }

  @Test
  void renewsByUnicastToTheServerAtT1() throws Exception {
    Link link = Link.standard();
    link.start();
    DhcpLease first = link.client.lease().orElseThrow();
    link.advance(Duration.ofMinutes(30));
    Link.Sent renew = link.sent.get(2);
    assertEquals(DhcpMessageType.REQUEST, renew.type());
    assertEquals(first.renewAt(), renew.at());
    assertEquals(new InetSocketAddress("10.99.0.1", 67), renew.to());
    assertEquals(FIRST, renew.message().ciaddr());
    assertFalse(renew.message().requestedAddress().isPresent());
    assertFalse(renew.message().serverIdentifier().isPresent());
    assertFalse(renew.message().broadcast());
    DhcpLease renewed = link.events(DhcpClientEvent.Renewed.class).get(0).lease();
    assertEquals(FIRST, renewed.address());
    assertEquals(first.renewAt().plusSeconds(3600), renewed.expires());
    assertEquals(DhcpClientState.BOUND, link.client.state());
    assertTrue(link.serverEvents(DhcpServerEvent.Leased.class).get(1).renewal());
  }

  @Test
  void renewingRetransmitsAfterHalfTheTimeToT2AtLeast60s() {
    Link link = Link.of(DhcpClient.builder(Link.MAC));
    link.start();
    DhcpLease lease = link.client.lease().orElseThrow();
    link.serverUp = false;
    link.advance(Duration.ofMinutes(30));
    assertEquals(DhcpClientState.RENEWING, link.client.state());
    // T2 - T1 = 1350 s: next try after 675 s, then 337 s, 168 s, 84 s, 60 s ...
    Instant t = link.client.pollTimeout();
    assertEquals(lease.renewAt().plusSeconds(675), t);
    link.fire();
    assertEquals(t.plusMillis(337_500), link.client.pollTimeout());
    assertEquals(DhcpMessageType.REQUEST, link.last().type());
    assertEquals(new InetSocketAddress("10.99.0.1", 67), link.last().to());
  }

  @Test
  void rebindsByBroadcastAtT2WhenTheServerDoesNotAnswer() throws Exception {
    Link link = Link.standard();
    link.start();
    DhcpLease lease = link.client.lease().orElseThrow();
    link.serverUp = false;
    link.advance(Duration.ofSeconds(3150 - 1));
    assertEquals(DhcpClientState.RENEWING, link.client.state());
    link.serverUp = true;
    link.advance(Duration.ofSeconds(1));
    Link.Sent rebind = link.last();
    assertEquals(lease.rebindAt(), rebind.at());
    assertEquals(BROADCAST, rebind.to());
    assertEquals(FIRST, rebind.message().ciaddr());
    assertFalse(rebind.message().serverIdentifier().isPresent());
    assertEquals(1, link.events(DhcpClientEvent.Renewed.class).size());
    assertEquals(DhcpClientState.BOUND, link.client.state());
  }

  @Test
  void leaseExpiresWithoutAnyServerAndTheClientStartsOverAskingForItsAddress() throws Exception {
    Link link = Link.standard();
    link.start();
    DhcpLease lease = link.client.lease().orElseThrow();
    link.serverUp = false;
    link.advance(Duration.ofSeconds(3599));
    assertEquals(DhcpClientState.REBINDING, link.client.state());
    assertTrue(link.events(DhcpClientEvent.Expired.class).isEmpty());
    link.advance(Duration.ofSeconds(1));
    assertEquals(lease, link.events(DhcpClientEvent.Expired.class).get(0).lease());
    assertEquals(DhcpClientState.SELECTING, link.client.state());
    assertTrue(link.client.lease().isEmpty());
    Link.Sent d = link.last();
    assertEquals(DhcpMessageType.DISCOVER, d.type());
    assertEquals(FIRST, d.message().requestedAddress().orElseThrow());
    link.serverUp = true;
    link.fire();
    assertEquals(DhcpClientState.BOUND, link.client.state());
    assertEquals(FIRST, link.client.lease().orElseThrow().address());
  }

  @Test
  void initRebootAsksForTheRememberedAddressWithoutServerIdentifier() throws Exception {
    Link link = Link.standard();
    link.start();
    // the same machine reboots, remembering its address, and the server still knows it
    Link reboot = new Link(DhcpClient.builder(Link.MAC).previousAddress(FIRST), link.server);
    reboot.clock.set(link.clock.instant().plusSeconds(60));
    reboot.start();
    Link.Sent r = reboot.sent.get(0);
    assertEquals(DhcpMessageType.REQUEST, r.type());
    assertEquals(FIRST, r.message().requestedAddress().orElseThrow());
    assertFalse(r.message().serverIdentifier().isPresent());
    assertEquals(Ipv4Address.ANY, r.message().ciaddr());
    assertEquals(BROADCAST, r.to());
    assertEquals(FIRST, reboot.events(DhcpClientEvent.Bound.class).get(0).lease().address());
    assertEquals(1, reboot.sent.size());
  }

  @Test
  void initRebootOnAnotherNetworkIsNakedAndTheClientDiscovers() throws Exception {
    Link link =
        Link.of(DhcpClient.builder(Link.MAC).previousAddress(Ipv4Address.parse("192.0.2.7")));
    link.start();
    DhcpClientEvent.Nak nak = link.events(DhcpClientEvent.Nak.class).get(0);
    assertEquals(Ipv4Address.parse("192.0.2.7"), nak.requested());
    assertEquals(Link.SERVER, nak.server());
    assertEquals(
        List.of(DhcpMessageType.REQUEST, DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST),
        link.sent.stream().map(Link.Sent::type).toList());
    assertFalse(link.sent.get(1).message().requestedAddress().isPresent());
    assertEquals(DhcpClientState.BOUND, link.client.state());
  }

  @Test
  void rebootingWithoutAnswerFallsBackToDiscover() {
    Link link = Link.of(DhcpClient.builder(Link.MAC).previousAddress(FIRST));
    link.serverUp = false;
    link.start();
    assertEquals(DhcpClientState.REBOOTING, link.client.state());
    for (int i = 0; i < 4; i++) {
      link.fire();
      assertEquals(DhcpClientState.REBOOTING, link.client.state());
    }
    link.fire();
    assertEquals(DhcpClientState.SELECTING, link.client.state());
    assertEquals(DhcpMessageType.DISCOVER, link.last().type());
  }

  @Test
  void requestingGivesUpAfterItsRetransmissionsAndStartsOverWithANewXid() {
    Link silent = Link.standard();
    silent.serverUp = false;
    silent.client.start(silent.clock.instant());
    DhcpMessage discover = Link.decode(silent.client.pollTransmit().payload());
    silent.deliver(offer(discover, FIRST, Link.SERVER));
    assertEquals(DhcpClientState.REQUESTING, silent.client.state());
    int xid = discover.xid();
    for (int i = 0; i < 4; i++) {
      silent.fire();
      assertEquals(DhcpMessageType.REQUEST, silent.last().type());
      assertEquals(xid, silent.last().message().xid());
    }
    assertEquals(5, silent.sent.size());
    silent.fire();
    assertEquals(DhcpClientState.SELECTING, silent.client.state());
    assertEquals(DhcpMessageType.DISCOVER, silent.last().type());
    assertNotEquals(xid, silent.last().message().xid());
  }

  @Test
  void nakInRequestingRestartsConfiguration() throws Exception {
    Link link = Link.standard();
    link.serverUp = false;
    link.client.start(link.clock.instant());
    DhcpMessage discover = Link.decode(link.client.pollTransmit().payload());
    link.deliver(offer(discover, FIRST, Link.SERVER));
    link.deliver(
        DhcpMessage.replyTo(discover)
            .messageType(DhcpMessageType.NAK)
            .serverIdentifier(Link.SERVER)
            .set(DhcpOption.MESSAGE, "address taken")
            .build());
    DhcpClientEvent.Nak nak = link.events(DhcpClientEvent.Nak.class).get(0);
    assertEquals(FIRST, nak.requested());
    assertEquals("address taken", nak.message());
    assertEquals(DhcpClientState.SELECTING, link.client.state());
    assertEquals(DhcpMessageType.DISCOVER, link.last().type());
    assertNotEquals(discover.xid(), link.last().message().xid());
  }

  @Test
  void nakWhileRenewingDropsTheLease() throws Exception {
    Link link = Link.standard();
    link.start();
    link.serverUp = false;
    link.advance(Duration.ofMinutes(30));
    DhcpMessage renew = link.last().message();
    link.deliver(
        DhcpMessage.replyTo(renew)
            .messageType(DhcpMessageType.NAK)
            .serverIdentifier(Link.SERVER)
            .build());
    assertEquals(1, link.events(DhcpClientEvent.Nak.class).size());
    assertTrue(link.client.lease().isEmpty());
    assertEquals(DhcpClientState.SELECTING, link.client.state());
  }

  @Test
  void repliesWithAnotherXidChaddrOrClientIdAreIgnored() throws Exception {
    ClientId id = ClientId.ofMac(Link.MAC);
    Link link = Link.of(DhcpClient.builder(Link.MAC).clientId(id));
    link.serverUp = false;
    link.client.start(link.clock.instant());
    DhcpMessage discover = Link.decode(link.client.pollTransmit().payload());
    link.deliver(offer(discover, FIRST, Link.SERVER).toBuilder().xid(discover.xid() + 1).build());
    link.deliver(
        offer(discover, FIRST, Link.SERVER).toBuilder()
            .chaddr(MacAddress.parse("02:00:00:00:00:02"))
            .build());
    link.deliver(
        offer(discover, FIRST, Link.SERVER).toBuilder()
            .clientId(ClientId.ofMac(MacAddress.parse("02:00:00:00:00:02")))
            .build());
    link.deliver(
        offer(discover, FIRST, Link.SERVER).toBuilder().op(DhcpMessage.BOOTREQUEST).build());
    link.deliver(offer(discover, Ipv4Address.ANY, Link.SERVER));
    link.deliver(offer(discover, FIRST, Link.SERVER).toBuilder().remove(54).build());
    assertEquals(6, link.client.ignored());
    assertEquals(DhcpClientState.SELECTING, link.client.state());
    link.deliver(offer(discover, FIRST, Link.SERVER));
    assertEquals(DhcpClientState.REQUESTING, link.client.state());
  }

  @Test
  void collectsOffersForTheWaitAndPrefersItsPreviousAddress() throws Exception {
    Ipv4Address previous = Ipv4Address.parse("10.99.0.105");
    Link link =
        Link.of(
            DhcpClient.builder(Link.MAC)
                .offerWait(Duration.ofSeconds(2))
                .previousAddress(previous)
                .maxRequestRetransmits(0));
    link.serverUp = false;
    link.start();
    link.fire(); // the INIT-REBOOT REQUEST is not answered: DISCOVER
    assertEquals(DhcpClientState.SELECTING, link.client.state());
    DhcpMessage discover = link.last().message();
    assertEquals(previous, discover.requestedAddress().orElseThrow());
    Instant at = link.clock.instant();
    link.deliver(offer(discover, FIRST, Ipv4Address.parse("10.99.0.2")));
    link.deliver(offer(discover, previous, Link.SERVER));
    assertEquals(DhcpClientState.SELECTING, link.client.state());
    assertEquals(at.plusSeconds(2), link.client.pollTimeout());
    link.fire();
    assertEquals(DhcpClientState.REQUESTING, link.client.state());
    assertEquals(previous, link.last().message().requestedAddress().orElseThrow());
    assertEquals(Link.SERVER, link.last().message().serverIdentifier().orElseThrow());
  }

  @Test
  void ackFromAnotherServerOrForAnotherAddressIsIgnoredInRequesting() throws Exception {
    Link link = Link.standard();
    link.serverUp = false;
    link.client.start(link.clock.instant());
    DhcpMessage discover = Link.decode(link.client.pollTransmit().payload());
    link.deliver(offer(discover, FIRST, Link.SERVER));
    link.deliver(ack(discover, FIRST, Ipv4Address.parse("10.99.0.2"), 600));
    link.deliver(ack(discover, Ipv4Address.parse("10.99.0.101"), Link.SERVER, 600));
    link.deliver(ack(discover, FIRST, Link.SERVER, 600).toBuilder().remove(51).build());
    assertEquals(DhcpClientState.REQUESTING, link.client.state());
    assertEquals(3, link.client.ignored());
    link.deliver(ack(discover, FIRST, Link.SERVER, 600));
    assertEquals(DhcpClientState.BOUND, link.client.state());
  }

  @Test
  void boundLeaseKeepsSnameFileSiaddrAndEveryOption() throws Exception {
    Link link = Link.standard();
    link.serverUp = false;
    link.client.start(link.clock.instant());
    DhcpMessage discover = Link.decode(link.client.pollTransmit().payload());
    link.deliver(offer(discover, FIRST, Link.SERVER));
    link.deliver(
        ack(discover, FIRST, Link.SERVER, 0xffff_ffffL).toBuilder()
            .siaddr(Ipv4Address.parse("10.99.0.69"))
            .sname("boot.example.test")
            .file("/boot/kernel")
            .set(DhcpOption.NTP_SERVERS, List.of(Link.SERVER))
            .option(224, new byte[] {1, 2, 3})
            .build());
    DhcpLease lease = link.events(DhcpClientEvent.Bound.class).get(0).lease();
    assertEquals("boot.example.test", lease.serverName());
    assertEquals("/boot/kernel", lease.bootFile());
    assertEquals(Ipv4Address.parse("10.99.0.69"), lease.nextServer());
    assertEquals(List.of(Link.SERVER), lease.option(DhcpOption.NTP_SERVERS).orElseThrow());
    assertEquals(3, lease.ack().option(224).orElseThrow().length);
    assertTrue(lease.infinite());
    assertEquals(Instant.MAX, lease.expires());
    assertNull(link.client.pollTimeout(), "an infinite lease needs no timer");
  }

  @Test
  void t1AndT2FromTheServerAreUsedAndInconsistentOnesFixed() throws Exception {
    Link link = Link.standard();
    link.serverUp = false;
    link.client.start(link.clock.instant());
    DhcpMessage discover = Link.decode(link.client.pollTransmit().payload());
    link.deliver(offer(discover, FIRST, Link.SERVER));
    link.deliver(
        ack(discover, FIRST, Link.SERVER, 1000).toBuilder()
            .renewalTime(900)
            .rebindingTime(2000)
            .build());
    DhcpLease lease = link.client.lease().orElseThrow();
    assertEquals(Duration.ofSeconds(875), lease.rebindingTime());
    assertEquals(Duration.ofSeconds(500), lease.renewalTime());
    Link other = Link.standard();
    other.serverUp = false;
    other.client.start(other.clock.instant());
    DhcpMessage d2 = Link.decode(other.client.pollTransmit().payload());
    other.deliver(offer(d2, FIRST, Link.SERVER));
    other.deliver(
        ack(d2, FIRST, Link.SERVER, 1000).toBuilder().renewalTime(100).rebindingTime(200).build());
    assertEquals(Duration.ofSeconds(100), other.client.lease().orElseThrow().renewalTime());
    assertEquals(Duration.ofSeconds(200), other.client.lease().orElseThrow().rebindingTime());
  }

  @Test
  void declineSendsDeclineThenWaits10sAndStartsOver() throws Exception {
    Link link = Link.standard();
    link.start();
    Instant declinedAt = link.clock.instant();
    assertTrue(link.client.decline(declinedAt));
    link.pump();
    Link.Sent decline = link.last();
    assertEquals(DhcpMessageType.DECLINE, decline.type());
    assertEquals(FIRST, decline.message().requestedAddress().orElseThrow());
    assertEquals(Link.SERVER, decline.message().serverIdentifier().orElseThrow());
    assertEquals(Ipv4Address.ANY, decline.message().ciaddr());
    assertEquals(BROADCAST, decline.to());
    assertEquals(FIRST, link.events(DhcpClientEvent.Declined.class).get(0).address());
    assertEquals(FIRST, link.serverEvents(DhcpServerEvent.Declined.class).get(0).address());
    assertEquals(DhcpClientState.INIT, link.client.state());
    assertTrue(link.client.lease().isEmpty());
    assertEquals(declinedAt.plusSeconds(10), link.client.pollTimeout());
    link.client.start(link.clock.instant()); // no effect while waiting
    assertEquals(DhcpMessageType.DECLINE, link.last().type());
    link.fire();
    assertEquals(DhcpClientState.BOUND, link.client.state());
    assertEquals(Ipv4Address.parse("10.99.0.101"), link.client.lease().orElseThrow().address());
  }

  @Test
  void releaseGivesTheAddressBackAndStops() throws Exception {
    Link link = Link.standard();
    link.start();
    assertTrue(link.client.release(link.clock.instant()));
    link.pump();
    Link.Sent release = link.last();
    assertEquals(DhcpMessageType.RELEASE, release.type());
    assertEquals(FIRST, release.message().ciaddr());
    assertEquals(Link.SERVER, release.message().serverIdentifier().orElseThrow());
    assertEquals(new InetSocketAddress("10.99.0.1", 67), release.to());
    assertEquals(FIRST, link.serverEvents(DhcpServerEvent.Released.class).get(0).address());
    assertEquals(FIRST, link.events(DhcpClientEvent.Released.class).get(0).address());
    assertEquals(DhcpClientState.STOPPED, link.client.state());
    assertNull(link.client.pollTimeout());
    assertFalse(link.client.release(link.clock.instant()));
    assertFalse(link.client.decline(link.clock.instant()));
    // started again, it asks for the same address
    link.start();
    assertEquals(FIRST, link.sent.get(3).message().requestedAddress().orElseThrow());
    assertEquals(FIRST, link.client.lease().orElseThrow().address());
  }

  @Test
  void stoppedAndBoundClientsIgnoreStrayReplies() throws Exception {
    Link link = Link.standard();
    link.start();
    DhcpMessage request = link.last().message();
    link.deliver(ack(request, FIRST, Link.SERVER, 600));
    assertEquals(1, link.client.ignored());
    assertEquals(1, link.events(DhcpClientEvent.Bound.class).size());
    link.client.handle(link.clock.instant(), null, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    assertEquals(2, link.client.ignored());
  }

  @Test
  void serverAddressOverrideSendsEverythingThere() {
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", 10067);
    Link link = Link.of(DhcpClient.builder(Link.MAC).serverAddress(local));
    link.start();
    link.advance(Duration.ofMinutes(30));
    assertEquals(3, link.sent.size());
    for (Link.Sent s : link.sent) {
      assertEquals(local, s.to());
    }
  }

  static DhcpMessage offer(DhcpMessage request, Ipv4Address address, Ipv4Address server) {
    return DhcpMessage.replyTo(request)
        .messageType(DhcpMessageType.OFFER)
        .yiaddr(address)
        .serverIdentifier(server)
        .leaseTime(600)
        .build();
  }

  static DhcpMessage ack(DhcpMessage request, Ipv4Address address, Ipv4Address server, long lease)
      throws MalformedDhcpMessageException {
    return DhcpMessage.replyTo(request)
        .messageType(DhcpMessageType.ACK)
        .yiaddr(address)
        .serverIdentifier(server)
        .leaseTime(lease)
        .build();
  }
}
