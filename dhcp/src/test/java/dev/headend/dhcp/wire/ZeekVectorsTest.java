package dev.headend.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.testkit.Captures;
import dev.headend.testkit.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Zeek's DHCP test traces (../shared/testdata/dhcp/zeek): every DHCPv4 datagram decoded and
 * re-encoded byte for byte, and the values Zeek logged (dhcp.log transactions, printed events)
 * recomputed from the decoded messages.
 */
class ZeekVectorsTest {

  /** A decoded datagram of a trace. */
  record Decoded(Captures.Datagram datagram, DhcpMessage message) {
    boolean fromServer() {
      return message.op() == DhcpMessage.BOOTREPLY;
    }
  }

  private static List<Decoded> decodeAll(String trace) throws Exception {
    List<Decoded> out = new ArrayList<>();
    for (Captures.Datagram d : Captures.udp(TestData.path("dhcp", "zeek", trace))) {
      if (!d.involvesPort(67, 68)) {
        continue;
      }
      DhcpMessage m = DhcpCodec.decode(d.payload());
      assertArrayEquals(d.payload(), m.encode(), trace + " #" + d.frame() + " round-trips");
      out.add(new Decoded(d, m));
    }
    assertFalse(out.isEmpty(), trace + " has DHCP datagrams");
    return out;
  }

  /** Rows of a Zeek TSV log, as column name to value. */
  static List<Map<String, String>> readLog(String file) {
    List<Map<String, String>> rows = new ArrayList<>();
    String[] columns = null;
    for (String line : TestData.text("dhcp", "zeek", file).split("\n")) {
      if (line.startsWith("#fields\t")) {
        columns = line.substring("#fields\t".length()).split("\t");
      } else if (line.startsWith("#")) {
        continue;
      } else if (columns == null && line.startsWith("ts\t")) {
        columns = line.split("\t"); // a log written with its header as the first row
      } else if (columns != null && !line.isBlank()) {
        String[] values = line.split("\t", -1);
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < columns.length; i++) {
          row.put(columns[i], values[i]);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * What dhcp.log records for one transaction (one xid), computed from the decoded messages: the
   * message types in order, the client's MAC, the last host name, requested address and client
   * FQDN, the server's domain and lease time, the assigned address (yiaddr of an ACK) and the
   * message option (56) from each side.
   */
  static Map<String, String> summarize(List<Decoded> transaction) throws Exception {
    Map<String, String> s = new LinkedHashMap<>();
    List<String> types = new ArrayList<>();
    for (Decoded d : transaction) {
      DhcpMessage m = d.message();
      DhcpMessageType type = m.messageType().orElseThrow();
      types.add(type.name());
      s.put("mac", m.clientMac().orElseThrow().toString());
      m.hostName().ifPresent(v -> s.put("host_name", v));
      m.requestedAddress().ifPresent(v -> s.put("requested_addr", v.toString()));
      Optional<ClientFqdn> fqdn = m.clientFqdn();
      fqdn.ifPresent(v -> s.put("client_fqdn", v.domainName()));
      if (d.fromServer()) {
        m.domainName().ifPresent(v -> s.put("domain", v));
        m.leaseTime().ifPresent(v -> s.put("lease_time", v + ".000000"));
        m.get(DhcpOption.MESSAGE).ifPresent(v -> s.put("server_message", v));
        if (type == DhcpMessageType.ACK && !m.yiaddr().isUnspecified()) {
          s.put("assigned_addr", m.yiaddr().toString());
        }
      } else {
        m.get(DhcpOption.MESSAGE).ifPresent(v -> s.put("client_message", v));
      }
    }
    s.put("msg_types", String.join(",", types));
    return s;
  }

  /** Checks every dhcp.log row against the transaction with the same client and message types. */
  private static void checkLog(List<Decoded> messages, String log) throws Exception {
    Map<Integer, List<Decoded>> byXid = new LinkedHashMap<>();
    for (Decoded d : messages) {
      byXid.computeIfAbsent(d.message().xid(), x -> new ArrayList<>()).add(d);
    }
    List<Map<String, String>> rows = readLog(log);
    assertEquals(byXid.size(), rows.size(), "one row per transaction");
    Set<Integer> matched = new HashSet<>();
    for (Map<String, String> row : rows) {
      int xid =
          byXid.entrySet().stream()
              .filter(e -> matches(e.getValue(), row))
              .map(Map.Entry::getKey)
              .filter(x -> !matched.contains(x))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no transaction for " + row));
      matched.add(xid);
      List<Decoded> transaction = byXid.get(xid);
      Map<String, String> s = summarize(transaction);
      for (String column :
          List.of(
              "mac",
              "host_name",
              "client_fqdn",
              "domain",
              "requested_addr",
              "assigned_addr",
              "lease_time",
              "client_message",
              "server_message",
              "msg_types")) {
        assertEquals(row.get(column), s.getOrDefault(column, "-"), column + " of " + row);
      }
      // addresses Zeek takes from the IP layer: one end of one of the transaction's datagrams
      if (!row.get("client_addr").equals("-")) {
        Ipv4Address client = Ipv4Address.parse(row.get("client_addr"));
        assertTrue(
            transaction.stream()
                .anyMatch(
                    d ->
                        Ipv4Address.parse(d.datagram().source()).equals(client)
                            || Ipv4Address.parse(d.datagram().destination()).equals(client)),
            "client_addr " + client);
      }
      if (!row.get("server_addr").equals("-")) {
        Ipv4Address server = Ipv4Address.parse(row.get("server_addr"));
        boolean named = false;
        for (Decoded d : transaction) {
          named |= d.message().serverIdentifier().map(server::equals).orElse(false);
        }
        assertTrue(named, "server_addr " + server + " is a server identifier");
      }
    }
  }

  private static boolean matches(List<Decoded> transaction, Map<String, String> row) {
    try {
      Map<String, String> s = summarize(transaction);
      return s.get("msg_types").equals(row.get("msg_types")) && s.get("mac").equals(row.get("mac"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void allMessageTypesMatchDhcpLog() throws Exception {
    List<Decoded> messages = decodeAll("dhcp__dhcp.pcap");
    assertEquals(
        List.of(
            DhcpMessageType.DISCOVER,
            DhcpMessageType.OFFER,
            DhcpMessageType.REQUEST,
            DhcpMessageType.NAK,
            DhcpMessageType.REQUEST,
            DhcpMessageType.ACK,
            DhcpMessageType.DECLINE,
            DhcpMessageType.RELEASE,
            DhcpMessageType.INFORM),
        messages.stream().map(d -> type(d.message())).collect(Collectors.toList()));
    checkLog(messages, "dhcp.dhcp-all-msg-types__dhcp.log");
  }

  @Test
  void informMatchesDhcpLog() throws Exception {
    checkLog(decodeAll("dhcp__dhcp_inform.pcap"), "dhcp.inform__dhcp.log");
  }

  @Test
  void manyTransactionsMatchDhcpLog() throws Exception {
    List<Decoded> messages = decodeAll("dhcp__dhcp-unique-xid-join-data-growth.pcapng");
    assertEquals(50, messages.size());
    checkLog(messages, "dhcp.dhcp-max-tracked-transactions__dhcp.log");
  }

  @Test
  void timeOffsetAndServerListsMatchEvents() throws Exception {
    List<Decoded> messages = decodeAll("dhcp__dhcp_time_and_nameserver.pcap");
    Map<String, DhcpOption<?>> events =
        Map.of(
            "time_offset", DhcpOption.TIME_OFFSET,
            "timeserver_list", DhcpOption.TIME_SERVERS,
            "nameserver_list", DhcpOption.NAME_SERVERS,
            "ntpserver_list", DhcpOption.NTP_SERVERS);
    int checked = 0;
    for (String line :
        TestData.text("dhcp", "zeek", "dhcp.dhcp-time-nameserver-events__stdout").split("\n")) {
      int comma = line.indexOf(", ");
      DhcpOption<?> option = comma < 0 ? null : events.get(line.substring(0, comma));
      if (option == null) {
        continue;
      }
      String expected = line.substring(comma + 2);
      List<String> seen = new ArrayList<>();
      for (Decoded d : messages) {
        Optional<?> v = d.message().get(option);
        if (v.isPresent()) {
          seen.add(v.get() instanceof List<?> list ? list.toString() : v.get().toString());
        }
      }
      assertEquals(List.of(expected), seen, line);
      checked++;
    }
    assertEquals(4, checked);
  }

  @Test
  void badCookieClearsOptions() throws Exception {
    // Zeek raises dhcp_message only for the messages with the magic cookie, each with 1 option;
    // the others are plain BOOTP here: no options, vendor area kept as sent.
    List<String> events = new ArrayList<>();
    for (String line :
        TestData.text("dhcp", "zeek", "dhcp.bad-cookie-clears-options__out").split("\n")) {
      if (line.startsWith("dhcp_message ")) {
        events.add(line);
      }
    }
    List<String> ours = new ArrayList<>();
    int plain = 0;
    for (Decoded d : decodeAll("dhcp__dhcp_bad_cookie_option_retention.pcap")) {
      DhcpMessage m = d.message();
      if (m.hasMagicCookie()) {
        ours.add(
            "dhcp_message xid=0x"
                + Integer.toHexString(m.xid())
                + " option_count="
                + m.optionCodes().size());
      } else {
        plain++;
        assertTrue(m.optionCodes().isEmpty());
        assertTrue(m.messageType().isEmpty());
        byte[] raw = d.datagram().payload();
        assertArrayEquals(Arrays.copyOfRange(raw, 236, raw.length), m.vendorArea());
      }
    }
    assertEquals(events, ours);
    assertEquals(3, plain);
  }

  private static DhcpMessageType type(DhcpMessage m) {
    try {
      return m.messageType().orElseThrow();
    } catch (MalformedDhcpMessageException e) {
      throw new AssertionError(e);
    }
  }
}
