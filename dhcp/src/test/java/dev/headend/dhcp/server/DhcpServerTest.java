package dev.headend.dhcp.server;

import static dev.headend.dhcp.server.Harness.FROM_CLIENT;
import static dev.headend.dhcp.server.Harness.SERVER;
import static dev.headend.dhcp.server.Harness.ip;
import static dev.headend.dhcp.server.Harness.mac;
import static dev.headend.dhcp.server.Harness.one;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.server.Harness.Sent;
import dev.headend.dhcp.wire.ClientId;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.dhcp.wire.RelayAgentInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DhcpServerTest {
  private static final InetSocketAddress BROADCAST = new InetSocketAddress("255.255.255.255", 68);

  @Test
  void discoverGetsOfferWithLeaseTimeT1At50PercentT2At87Point5Percent()
      throws MalformedDhcpMessageException {
    Harness h = Harness.of(Harness.lan());
    Sent offer = one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    DhcpMessage m = offer.message();
    assertEquals(ip("10.99.0.100"), m.yiaddr());
    assertEquals(SERVER, m.serverIdentifier().orElseThrow());
    assertEquals(3600L, m.leaseTime().orElseThrow());
    assertEquals(1800L, m.renewalTime().orElseThrow());
    assertEquals(3150L, m.rebindingTime().orElseThrow());
    assertEquals(ip("255.255.255.0"), m.subnetMask().orElseThrow());
    assertEquals(List.of(ip("10.99.0.1")), m.routers().orElseThrow());
    assertEquals(List.of(ip("10.99.0.53")), m.domainNameServers().orElseThrow());
    assertEquals("example.test", m.domainName().orElseThrow());
    assertEquals(DhcpMessage.BOOTREPLY, m.op());
    assertEquals(
        List.of(new DhcpServerEvent.Offered(ClientKey.ofMac(mac(1)), m.yiaddr())),
        h.events(DhcpServerEvent.Offered.class));
  }

  @Test
  void offerIsBroadcastWhenNoArpEntryCanBeMadeRfc2131Section41() {
    Harness h = Harness.of(Harness.lan());
    Sent offer = one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertEquals(BROADCAST, offer.to());
  }

  @Test
  void offerIsUnicastToYiaddrWhenTheAdapterCanRfc2131Section41() {
    Harness h = Harness.of(Harness.lan().unicastToNewAddress(true));
    Sent offer = one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertEquals(new InetSocketAddress("10.99.0.100", 68), offer.to());
  }

  @Test
  void broadcastFlagMakesReplyBroadcastRfc2131Section41() {
    Harness h = Harness.of(Harness.lan().unicastToNewAddress(true));
    Sent offer =
        one(
            h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).broadcast(true)),
            DhcpMessageType.OFFER);
    assertEquals(BROADCAST, offer.to());
    assertTrue(offer.message().broadcast());
  }

  @Test
  void relayedRepliesGoToGiaddrOnServerPortRfc2131Section41() {
    Harness h =
        Harness.of(
            Harness.lan()
                .subnet(
                    Subnet.builder(IpPrefix.parse("10.99.1.0/24"))
                        .pool(ip("10.99.1.10"), ip("10.99.1.20"))
                        .build()));
    DhcpMessage d =
        h.request(DhcpMessageType.DISCOVER, mac(1)).giaddr(ip("10.99.1.1")).hops(1).build();
    Sent offer = one(h.send(new InetSocketAddress("10.99.1.1", 67), d), DhcpMessageType.OFFER);
    assertEquals(new InetSocketAddress("10.99.1.1", 67), offer.to());
    assertEquals(ip("10.99.1.10"), offer.message().yiaddr(), "subnet chosen by giaddr");
    assertEquals(ip("10.99.1.1"), offer.message().giaddr());
  }

  @Test
  void relayedDiscoverFromUnknownLinkIsDroppedNoSubnet() {
    Harness h = Harness.of(Harness.lan());
    DhcpMessage d = h.request(DhcpMessageType.DISCOVER, mac(1)).giaddr(ip("10.99.7.1")).build();
    assertTrue(h.send(new InetSocketAddress("10.99.7.1", 67), d).isEmpty());
    assertEquals(DropReason.NO_SUBNET, h.lastDrop());
  }

  @Test
  void linkSelectionSubOptionChoosesSubnetRfc3527() {
    Harness h =
        Harness.of(
            Harness.lan()
                .subnet(
                    Subnet.builder(IpPrefix.parse("10.99.2.0/24"))
                        .pool(ip("10.99.2.10"), ip("10.99.2.20"))
                        .build()));
    RelayAgentInfo rai =
        RelayAgentInfo.builder()
            .circuitId("port1".getBytes(StandardCharsets.US_ASCII))
            .linkSelection(ip("10.99.2.0"))
            .build();
    DhcpMessage d =
        h.request(DhcpMessageType.DISCOVER, mac(1))
            .giaddr(ip("10.99.0.254"))
            .relayAgentInfo(rai)
            .build();
    Sent offer = one(h.send(new InetSocketAddress("10.99.0.254", 67), d), DhcpMessageType.OFFER);
    assertEquals(ip("10.99.2.10"), offer.message().yiaddr());
  }

  @Test
  void relayAgentInformationIsEchoedRfc3046Section22() throws MalformedDhcpMessageException {
    Harness h = Harness.of(Harness.lan());
    RelayAgentInfo rai =
        RelayAgentInfo.builder()
            .circuitId(new byte[] {1, 2, 3})
            .remoteId(new byte[] {9, 9})
            .build();
    DhcpMessage d =
        h.request(DhcpMessageType.DISCOVER, mac(1))
            .giaddr(ip("10.99.0.254"))
            .relayAgentInfo(rai)
            .build();
    Sent offer = one(h.send(new InetSocketAddress("10.99.0.254", 67), d), DhcpMessageType.OFFER);
    assertEquals(rai, offer.message().relayAgentInfo().orElseThrow());
    List<Integer> codes = offer.message().optionCodes();
    assertEquals(82, codes.get(codes.size() - 1), "82 is the last option");
  }

  @Test
  void requestInSelectingStateIsAckedAndLeaseStoredRfc2131Section432()
      throws MalformedDhcpMessageException {
    LeaseStore store = LeaseStore.inMemory();
    Harness h = Harness.of(Harness.lan().leaseStore(store));
    Sent ack = h.dora(mac(1));
    assertEquals(ip("10.99.0.100"), ack.message().yiaddr());
    assertEquals(3600L, ack.message().leaseTime().orElseThrow());
    assertEquals(BROADCAST, ack.to());
    Lease l = h.server.lease(ip("10.99.0.100")).orElseThrow();
    assertEquals(Lease.State.BOUND, l.state());
    assertEquals(h.clock.instant().plusSeconds(3600), l.time());
    assertEquals(List.of(l), List.copyOf(storeLoad(store)));
    DhcpServerEvent.Leased leased = h.events(DhcpServerEvent.Leased.class).get(0);
    assertEquals(ClientKey.ofMac(mac(1)), leased.client());
    assertFalse(leased.renewal());
    assertEquals(0, h.server.outstandingOffers());
  }

  @Test
  void requestForAnotherServerWithdrawsOurOfferRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertEquals(1, h.server.outstandingOffers());
    List<Sent> r =
        h.send(
            h.request(DhcpMessageType.REQUEST, mac(1))
                .requestedAddress(ip("192.0.2.7"))
                .serverIdentifier(ip("192.0.2.1")));
    assertTrue(r.isEmpty());
    assertEquals(DropReason.OTHER_SERVER, h.lastDrop());
    assertEquals(0, h.server.outstandingOffers());
  }

  @Test
  void requestInSelectingForAddressNotOfferedIsNakedAndNakIsBroadcastRfc2131Section41() {
    Harness h = Harness.of(Harness.lan());
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    Sent nak =
        one(
            h.send(
                h.request(DhcpMessageType.REQUEST, mac(1))
                    .requestedAddress(ip("10.99.0.105"))
                    .serverIdentifier(SERVER)),
            DhcpMessageType.NAK);
    assertEquals(BROADCAST, nak.to());
    assertEquals(Ipv4Address.ANY, nak.message().yiaddr());
    assertEquals(1, h.events(DhcpServerEvent.Nak.class).size());
  }

  @Test
  void relayedNakGoesToRelayWithBroadcastBitRfc2131Section41() {
    Harness h = Harness.of(Harness.lan());
    DhcpMessage req =
        h.request(DhcpMessageType.REQUEST, mac(1))
            .requestedAddress(ip("10.99.5.5"))
            .giaddr(ip("10.99.0.254"))
            .build();
    Sent nak = one(h.send(new InetSocketAddress("10.99.0.254", 67), req), DhcpMessageType.NAK);
    assertEquals(new InetSocketAddress("10.99.0.254", 67), nak.to());
    assertTrue(nak.message().broadcast());
  }

  @Test
  void initRebootOnWrongNetworkIsNakedRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    one(
        h.send(h.request(DhcpMessageType.REQUEST, mac(1)).requestedAddress(ip("192.168.1.5"))),
        DhcpMessageType.NAK);
  }

  @Test
  void initRebootFromUnknownClientIsSilentRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    assertTrue(
        h.send(h.request(DhcpMessageType.REQUEST, mac(1)).requestedAddress(ip("10.99.0.104")))
            .isEmpty());
    assertEquals(DropReason.UNKNOWN_CLIENT, h.lastDrop());
  }

  @Test
  void initRebootFromUnknownClientIsAckedWhenAuthoritative() {
    Harness h = Harness.of(Harness.lan().authoritative(true));
    Sent ack =
        one(
            h.send(h.request(DhcpMessageType.REQUEST, mac(1)).requestedAddress(ip("10.99.0.104"))),
            DhcpMessageType.ACK);
    assertEquals(ip("10.99.0.104"), ack.message().yiaddr());
  }

  @Test
  void initRebootWithOwnAddressIsAckedAsRenewalRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    h.advance(Duration.ofMinutes(10));
    Sent ack =
        one(
            h.send(h.request(DhcpMessageType.REQUEST, mac(1)).requestedAddress(a)),
            DhcpMessageType.ACK);
    assertEquals(a, ack.message().yiaddr());
    assertTrue(h.events(DhcpServerEvent.Leased.class).get(1).renewal());
  }

  @Test
  void initRebootForAddressHeldByAnotherClientIsNakedRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    one(
        h.send(h.request(DhcpMessageType.REQUEST, mac(2)).requestedAddress(a)),
        DhcpMessageType.NAK);
  }

  @Test
  void initRebootForOtherAddressThanItsBindingIsNakedRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    h.dora(mac(1));
    one(
        h.send(h.request(DhcpMessageType.REQUEST, mac(1)).requestedAddress(ip("10.99.0.107"))),
        DhcpMessageType.NAK);
  }

  @Test
  void renewingExtendsLeaseAndUnicastsToCiaddrRfc2131Section432()
      throws MalformedDhcpMessageException {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    h.advance(Duration.ofMinutes(30));
    Sent ack =
        one(
            h.send(
                new InetSocketAddress(a.toInetAddress(), 68),
                h.request(DhcpMessageType.REQUEST, mac(1)).ciaddr(a).build()),
            DhcpMessageType.ACK);
    assertEquals(new InetSocketAddress(a.toInetAddress(), 68), ack.to());
    assertEquals(a, ack.message().yiaddr());
    assertEquals(a, ack.message().ciaddr());
    assertEquals(3600L, ack.message().leaseTime().orElseThrow());
    assertEquals(h.clock.instant().plusSeconds(3600), h.server.lease(a).orElseThrow().time());
  }

  @Test
  void rebindingRelayedForAddressOfAnotherClientIsNakedRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    DhcpMessage rebind =
        h.request(DhcpMessageType.REQUEST, mac(2)).ciaddr(a).giaddr(ip("10.99.0.254")).build();
    Sent nak = one(h.send(new InetSocketAddress("10.99.0.254", 67), rebind), DhcpMessageType.NAK);
    assertEquals(new InetSocketAddress("10.99.0.254", 67), nak.to());
  }

  @Test
  void rebindingFromUnknownClientIsSilentRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    assertTrue(
        h.send(h.request(DhcpMessageType.REQUEST, mac(3)).ciaddr(ip("10.99.0.103"))).isEmpty());
    assertEquals(DropReason.UNKNOWN_CLIENT, h.lastDrop());
  }

  @Test
  void renewingWithAddressOffThisNetworkIsNakedRfc2131Section432() {
    Harness h = Harness.of(Harness.lan());
    one(
        h.send(h.request(DhcpMessageType.REQUEST, mac(3)).ciaddr(ip("172.16.0.3"))),
        DhcpMessageType.NAK);
  }

  @Test
  void requestedLeaseTimeIsGrantedWithinBoundsRfc2131Section4311()
      throws MalformedDhcpMessageException {
    Harness h = Harness.of(Harness.lan());
    DhcpMessage offer =
        one(
                h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).leaseTime(600)),
                DhcpMessageType.OFFER)
            .message();
    assertEquals(600L, offer.leaseTime().orElseThrow());
    assertEquals(300L, offer.renewalTime().orElseThrow());
    assertEquals(525L, offer.rebindingTime().orElseThrow());
    DhcpMessage big =
        one(
                h.send(h.request(DhcpMessageType.DISCOVER, mac(2)).leaseTime(10_000_000)),
                DhcpMessageType.OFFER)
            .message();
    assertEquals(86_400L, big.leaseTime().orElseThrow());
  }

  @Test
  void declineQuarantinesTheAddressRfc2131Section433() {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(Harness.LAN).pool(ip("10.99.0.100"), ip("10.99.0.101")).build())
                .declineQuarantine(Duration.ofMinutes(10)));
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    assertTrue(
        h.send(
                h.request(DhcpMessageType.DECLINE, mac(1))
                    .requestedAddress(a)
                    .serverIdentifier(SERVER))
            .isEmpty());
    assertEquals(1, h.events(DhcpServerEvent.Declined.class).size());
    assertEquals(Lease.State.DECLINED, h.server.lease(a).orElseThrow().state());
    Ipv4Address b = h.dora(mac(2)).message().yiaddr();
    assertNotEquals(a, b);
    assertTrue(h.send(h.request(DhcpMessageType.DISCOVER, mac(3))).isEmpty());
    assertEquals(DropReason.POOL_EXHAUSTED, h.lastDrop());
    h.advance(Duration.ofMinutes(11));
    assertTrue(h.server.lease(a).isEmpty(), "quarantine over");
    assertEquals(a, h.dora(mac(3)).message().yiaddr());
  }

  @Test
  void declineOfAddressNotHeldIsDropped() {
    Harness h = Harness.of(Harness.lan());
    h.dora(mac(1));
    assertTrue(
        h.send(h.request(DhcpMessageType.DECLINE, mac(2)).requestedAddress(ip("10.99.0.100")))
            .isEmpty());
    assertEquals(DropReason.NOT_BOUND, h.lastDrop());
    assertEquals(Lease.State.BOUND, h.server.lease(ip("10.99.0.100")).orElseThrow().state());
  }

  @Test
  void releaseFreesTheAddressAndTheClientGetsItBackRfc2131Section434() {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    assertTrue(h.send(h.request(DhcpMessageType.RELEASE, mac(1)).ciaddr(a)).isEmpty());
    assertEquals(
        List.of(new DhcpServerEvent.Released(ClientKey.ofMac(mac(1)), a)),
        h.events(DhcpServerEvent.Released.class));
    assertEquals(Lease.State.RELEASED, h.server.lease(a).orElseThrow().state());
    h.dora(mac(2));
    assertEquals(a, h.dora(mac(1)).message().yiaddr(), "previous address preferred");
  }

  @Test
  void releaseByAnotherClientIsIgnored() {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    h.send(h.request(DhcpMessageType.RELEASE, mac(2)).ciaddr(a));
    assertEquals(DropReason.NOT_BOUND, h.lastDrop());
    assertEquals(Lease.State.BOUND, h.server.lease(a).orElseThrow().state());
  }

  @Test
  void releasedAddressIsReusedOnlyWhenNoUnusedAddressIsLeftRfc2131Section4311() {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    h.send(h.request(DhcpMessageType.RELEASE, mac(1)).ciaddr(a));
    Set<Ipv4Address> others = new HashSet<>();
    for (int i = 2; i <= 10; i++) {
      others.add(h.dora(mac(i)).message().yiaddr());
    }
    assertFalse(others.contains(a));
    assertEquals(a, h.dora(mac(11)).message().yiaddr());
  }

  @Test
  void informIsAckedWithOptionsButNoLeaseRfc2131Section435() throws MalformedDhcpMessageException {
    Harness h = Harness.of(Harness.lan());
    Ipv4Address ci = ip("10.99.0.20");
    Sent ack =
        one(
            h.send(
                new InetSocketAddress(ci.toInetAddress(), 68),
                h.request(DhcpMessageType.INFORM, mac(1)).ciaddr(ci).build()),
            DhcpMessageType.ACK);
    assertEquals(new InetSocketAddress(ci.toInetAddress(), 68), ack.to());
    assertEquals(Ipv4Address.ANY, ack.message().yiaddr());
    assertTrue(ack.message().leaseTime().isEmpty());
    assertTrue(ack.message().renewalTime().isEmpty());
    assertTrue(ack.message().rebindingTime().isEmpty());
    assertEquals(List.of(ip("10.99.0.1")), ack.message().routers().orElseThrow());
    assertTrue(h.server.leases().isEmpty());
  }

  @Test
  void previousAddressIsOfferedAfterExpiryRfc2131Section4311() {
    Harness h = Harness.of(Harness.lan());
    h.dora(mac(9));
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    h.advance(Duration.ofHours(2));
    assertEquals(2, h.events(DhcpServerEvent.Expired.class).size());
    assertEquals(Lease.State.EXPIRED, h.server.lease(a).orElseThrow().state());
    Sent offer = one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertEquals(a, offer.message().yiaddr());
  }

  @Test
  void requestedAddressIsOfferedWhenFreeRfc2131Section4311() {
    Harness h = Harness.of(Harness.lan());
    Sent offer =
        one(
            h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).requestedAddress(ip("10.99.0.107"))),
            DhcpMessageType.OFFER);
    assertEquals(ip("10.99.0.107"), offer.message().yiaddr());
    Sent other =
        one(
            h.send(h.request(DhcpMessageType.DISCOVER, mac(2)).requestedAddress(ip("10.99.0.107"))),
            DhcpMessageType.OFFER);
    assertNotEquals(ip("10.99.0.107"), other.message().yiaddr(), "already offered to mac 1");
  }

  @Test
  void reservationByMacGivesFixedAddressAndHostOptions() throws MalformedDhcpMessageException {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Harness.lanSubnet()
                        .reserve(
                            Reservation.forMac(mac(5), ip("10.99.0.5"))
                                .withOptions(
                                    OptionSet.builder()
                                        .routers(List.of(ip("10.99.0.254")))
                                        .bootfileName("pxelinux.0")
                                        .build()))
                        .build()));
    Sent ack = h.dora(mac(5));
    assertEquals(ip("10.99.0.5"), ack.message().yiaddr());
    assertEquals(List.of(ip("10.99.0.254")), ack.message().routers().orElseThrow());
    assertEquals("pxelinux.0", ack.message().get(DhcpOption.BOOTFILE_NAME).orElseThrow());
    assertEquals(List.of(ip("10.99.0.53")), ack.message().domainNameServers().orElseThrow());
    one(
        h.send(h.request(DhcpMessageType.REQUEST, mac(6)).requestedAddress(ip("10.99.0.5"))),
        DhcpMessageType.NAK);
  }

  @Test
  void reservationByClientIdMatchesOption61() {
    ClientId id = ClientId.of(0, "router-7".getBytes(StandardCharsets.US_ASCII));
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Harness.lanSubnet()
                        .reserve(Reservation.forClientId(id, ip("10.99.0.7")))
                        .build()));
    Sent offer =
        one(
            h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).clientId(id)),
            DhcpMessageType.OFFER);
    assertEquals(ip("10.99.0.7"), offer.message().yiaddr());
    Sent plain = one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertEquals(ip("10.99.0.100"), plain.message().yiaddr());
  }

  @Test
  void clientIdentityIsOption61ElseHardwareAddressRfc2131Section42() {
    Harness h = Harness.of(Harness.lan());
    ClientId a = ClientId.of(0, new byte[] {'a'});
    ClientId b = ClientId.of(0, new byte[] {'b'});
    Ipv4Address x =
        one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).clientId(a)), DhcpMessageType.OFFER)
            .message()
            .yiaddr();
    Ipv4Address y =
        one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).clientId(b)), DhcpMessageType.OFFER)
            .message()
            .yiaddr();
    assertNotEquals(x, y, "one MAC, two client identifiers: two clients");
    Sent echoed =
        one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).clientId(a)), DhcpMessageType.OFFER);
    assertEquals(x, echoed.message().yiaddr());
    assertEquals(a, ClientIdOf.of(echoed.message()), "option 61 echoed (RFC 6842)");
  }

  @Test
  void discoverFloodFromOneMacHoldsOneOffer() {
    Harness h = Harness.of(Harness.lan());
    Set<Ipv4Address> offered = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      offered.add(
          one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER)
              .message()
              .yiaddr());
    }
    assertEquals(Set.of(ip("10.99.0.100")), offered);
    assertEquals(1, h.server.outstandingOffers());
    assertEquals(ip("10.99.0.101"), h.dora(mac(2)).message().yiaddr());
  }

  @Test
  void outstandingOffersAreCapped() {
    Harness h = Harness.of(Harness.lan().maxOffers(3));
    for (int i = 1; i <= 3; i++) {
      one(h.send(h.request(DhcpMessageType.DISCOVER, mac(i))), DhcpMessageType.OFFER);
    }
    assertTrue(h.send(h.request(DhcpMessageType.DISCOVER, mac(4))).isEmpty());
    assertEquals(DropReason.OFFER_LIMIT, h.lastDrop());
    assertEquals(3, h.server.outstandingOffers());
  }

  @Test
  void offersPerRelayCircuitAreCapped() {
    Harness h = Harness.of(Harness.lan().maxOffersPerCircuit(2));
    InetSocketAddress relay = new InetSocketAddress("10.99.0.254", 67);
    for (int i = 1; i <= 3; i++) {
      DhcpMessage d =
          h.request(DhcpMessageType.DISCOVER, mac(i))
              .giaddr(ip("10.99.0.254"))
              .relayAgentInfo(RelayAgentInfo.builder().circuitId(new byte[] {7}).build())
              .build();
      List<Sent> r = h.send(relay, d);
      assertEquals(i <= 2 ? 1 : 0, r.size());
    }
    assertEquals(DropReason.CIRCUIT_LIMIT, h.lastDrop());
    DhcpMessage other =
        h.request(DhcpMessageType.DISCOVER, mac(4))
            .giaddr(ip("10.99.0.254"))
            .relayAgentInfo(RelayAgentInfo.builder().circuitId(new byte[] {8}).build())
            .build();
    one(h.send(relay, other), DhcpMessageType.OFFER);
  }

  @Test
  void offeredAddressIsHeldForTheOfferHoldTimeOnly() {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(Harness.LAN).pool(ip("10.99.0.100"), ip("10.99.0.100")).build())
                .offerHoldTime(Duration.ofSeconds(10)));
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertTrue(h.send(h.request(DhcpMessageType.DISCOVER, mac(2))).isEmpty());
    assertEquals(DropReason.POOL_EXHAUSTED, h.lastDrop());
    h.advance(Duration.ofSeconds(11));
    assertEquals(0, h.server.outstandingOffers());
    assertEquals(ip("10.99.0.100"), h.dora(mac(2)).message().yiaddr());
  }

  @Test
  void expiredLeaseIsReclaimedForOtherClients() {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(Harness.LAN)
                        .pool(ip("10.99.0.100"), ip("10.99.0.100"))
                        .build()));
    h.dora(mac(1));
    assertTrue(h.send(h.request(DhcpMessageType.DISCOVER, mac(2))).isEmpty());
    h.advance(Duration.ofMinutes(61));
    assertEquals(
        List.of(new DhcpServerEvent.Expired(ClientKey.ofMac(mac(1)), ip("10.99.0.100"))),
        h.events(DhcpServerEvent.Expired.class));
    assertEquals(ip("10.99.0.100"), h.dora(mac(2)).message().yiaddr());
  }

  @Test
  void parameterRequestListChoosesOptionsRfc2131Section4311() throws MalformedDhcpMessageException {
    Harness h = Harness.of(Harness.lan());
    DhcpMessage offer =
        one(
                h.send(
                    h.request(DhcpMessageType.DISCOVER, mac(1))
                        .parameterRequestList(List.of(1, 3))),
                DhcpMessageType.OFFER)
            .message();
    assertTrue(offer.routers().isPresent());
    assertTrue(offer.domainNameServers().isEmpty());
    assertTrue(offer.domainName().isEmpty());
    assertTrue(offer.subnetMask().isPresent());
  }

  @Test
  void arbitraryAndBootServerOptionsAreSent() throws MalformedDhcpMessageException {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(Harness.LAN)
                        .pool(ip("10.99.0.100"), ip("10.99.0.109"))
                        .options(
                            OptionSet.builder()
                                .ntpServers(List.of(ip("10.99.0.123")))
                                .tftpServerName("tftp.example.test")
                                .bootfileName("boot.img")
                                .tftpServerAddresses(List.of(ip("10.99.0.69")))
                                .raw(224, new byte[] {1, 2, 3})
                                .build())
                        .build()));
    DhcpMessage ack = h.dora(mac(1)).message();
    assertEquals(List.of(ip("10.99.0.123")), ack.get(DhcpOption.NTP_SERVERS).orElseThrow());
    assertEquals("tftp.example.test", ack.get(DhcpOption.TFTP_SERVER_NAME).orElseThrow());
    assertEquals("boot.img", ack.get(DhcpOption.BOOTFILE_NAME).orElseThrow());
    assertEquals(List.of(ip("10.99.0.69")), ack.get(DhcpOption.TFTP_SERVER_ADDRESS).orElseThrow());
    assertArrayEquals(new byte[] {1, 2, 3}, ack.option(224).orElseThrow());
  }

  @Test
  void poolExhaustionIsReportedNotThrown() {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(Harness.LAN)
                        .pool(ip("10.99.0.100"), ip("10.99.0.101"))
                        .build()));
    h.dora(mac(1));
    h.dora(mac(2));
    assertTrue(h.send(h.request(DhcpMessageType.DISCOVER, mac(3))).isEmpty());
    assertEquals(DropReason.POOL_EXHAUSTED, h.lastDrop());
  }

  @Test
  void serverAddressAndNetworkAndBroadcastAreNeverOffered() {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(IpPrefix.parse("10.99.0.0/30"))
                        .pool(ip("10.99.0.0"), ip("10.99.0.3"))
                        .build()));
    assertEquals(ip("10.99.0.2"), h.dora(mac(1)).message().yiaddr());
    assertTrue(h.send(h.request(DhcpMessageType.DISCOVER, mac(2))).isEmpty());
  }

  @Test
  void malformedDatagramsAreDroppedWithTypedReasons() {
    Harness h = Harness.of(Harness.lan());
    assertTrue(h.sendRaw(FROM_CLIENT, new byte[] {1, 2, 3}).isEmpty());
    assertEquals(DropReason.MALFORMED, h.lastDrop());
    assertTrue(
        h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).op(DhcpMessage.BOOTREPLY)).isEmpty());
    assertEquals(DropReason.NOT_DHCP_REQUEST, h.lastDrop());
    assertTrue(h.send(h.request(DhcpMessageType.OFFER, mac(1))).isEmpty());
    assertEquals(DropReason.UNSUPPORTED_TYPE, h.lastDrop());
    assertTrue(
        h.send(h.request(DhcpMessageType.DISCOVER, mac(1)).option(50, new byte[] {1, 2}))
            .isEmpty());
    assertEquals(DropReason.MALFORMED_OPTION, h.lastDrop());
    assertTrue(h.send(DhcpMessage.builder().chaddr(mac(1))).isEmpty(), "plain BOOTP");
    assertEquals(DropReason.NOT_DHCP_REQUEST, h.lastDrop());
    assertTrue(
        h.send(h.request(DhcpMessageType.REQUEST, mac(1)).serverIdentifier(SERVER)).isEmpty());
    assertEquals(DropReason.INVALID, h.lastDrop());
  }

  @Test
  void ackIsSentOnlyAfterTheStoreSynced() {
    List<String> calls = new ArrayList<>();
    LeaseStore recording = new RecordingStore(calls, false);
    Harness h = Harness.of(Harness.lan().leaseStore(recording));
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    assertEquals(List.of(), calls, "an offer writes nothing");
    h.server.handle(
        h.clock.instant(),
        FROM_CLIENT,
        java.nio.ByteBuffer.wrap(
            h.request(DhcpMessageType.REQUEST, mac(1))
                .requestedAddress(ip("10.99.0.100"))
                .serverIdentifier(SERVER)
                .build()
                .encode()));
    assertEquals(List.of("put 10.99.0.100 BOUND"), calls);
    assertTrue(h.server.pollTransmit() != null);
    assertEquals(List.of("put 10.99.0.100 BOUND", "sync"), calls);
  }

  @Test
  void ackIsWithheldWhenTheStoreFailsToSync() {
    List<String> calls = new ArrayList<>();
    Harness h = Harness.of(Harness.lan().leaseStore(new RecordingStore(calls, true)));
    one(h.send(h.request(DhcpMessageType.DISCOVER, mac(1))), DhcpMessageType.OFFER);
    List<Sent> r =
        h.send(
            h.request(DhcpMessageType.REQUEST, mac(1))
                .requestedAddress(ip("10.99.0.100"))
                .serverIdentifier(SERVER));
    assertTrue(r.isEmpty(), () -> "sent " + r);
    assertEquals(DropReason.STORE_FAILED, h.lastDrop());
    assertTrue(h.events(DhcpServerEvent.Leased.class).isEmpty());
  }

  @Test
  void leasesSurviveARestartOnTheSameStore() {
    LeaseStore store = LeaseStore.inMemory();
    Harness h = Harness.of(Harness.lan().leaseStore(store));
    Ipv4Address a = h.dora(mac(1)).message().yiaddr();
    Harness again = Harness.of(Harness.lan().leaseStore(store));
    assertEquals(Lease.State.BOUND, again.server.lease(a).orElseThrow().state());
    assertNotEquals(a, again.dora(mac(2)).message().yiaddr());
    one(
        again.send(again.request(DhcpMessageType.REQUEST, mac(1)).requestedAddress(a)),
        DhcpMessageType.ACK);
  }

  private static Collection<Lease> storeLoad(LeaseStore s) {
    try {
      return s.load();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Reads option 61 of a message. */
  private static final class ClientIdOf {
    static ClientId of(DhcpMessage m) {
      try {
        return m.clientId().orElseThrow();
      } catch (MalformedDhcpMessageException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** A store that logs its calls and may fail to sync. */
  private static final class RecordingStore implements LeaseStore {
    private final List<String> calls;
    private final boolean failSync;

    RecordingStore(List<String> calls, boolean failSync) {
      this.calls = calls;
      this.failSync = failSync;
    }

    @Override
    public Collection<Lease> load() {
      return List.of();
    }

    @Override
    public void put(Lease lease) {
      calls.add("put " + lease.address() + " " + lease.state());
    }

    @Override
    public void remove(Ipv4Address address) {
      calls.add("remove " + address);
    }

    @Override
    public void sync() throws IOException {
      calls.add("sync");
      if (failSync) {
        throw new IOException("disk full");
      }
    }

    @Override
    public void close() {}
  }
}
