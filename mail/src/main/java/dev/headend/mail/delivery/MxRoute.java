package dev.headend.mail.delivery;

import dev.headend.mail.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Where mail for one domain goes (RFC 5321 §5.1): the mail exchangers in the order to try them, or
 * why there is none.
 *
 * @param domain the recipient domain
 * @param hosts the exchangers, most preferred first (equal preferences in random order); the domain
 *     itself when it has no MX; empty when {@code failure} is set
 * @param failure why mail cannot go there: permanent (5xx: no such domain, null MX) or transient
 *     (4xx: DNS failed); {@code null} when there are hosts
 */
public record MxRoute(String domain, List<String> hosts, SmtpReply failure) {

  /** Copies the hosts. */
  public MxRoute {
    Objects.requireNonNull(domain, "domain");
    hosts = List.copyOf(hosts);
  }

  /**
   * Looks up {@code domain}'s MX records and orders them: by preference, equal preferences shuffled
   * with {@code random}; no MX → the domain itself (its A/AAAA); a null MX (a single MX with the
   * root as exchange, RFC 7505) or NXDOMAIN → a permanent failure; a DNS failure → a transient one.
   */
  public static MxRoute plan(String domain, MxLookup lookup, RandomGenerator random) {
    String d = domain.toLowerCase(Locale.ROOT);
    List<MxLookup.MxRecord> records;
    try {
      records = lookup.mx(d);
    } catch (MxLookup.LookupException e) {
      return new MxRoute(
          d,
          List.of(),
          e.permanent()
              ? SmtpReply.of(550, "5.1.2", "domain " + d + " does not exist")
              : SmtpReply.of(451, "4.4.3", "DNS lookup failed for " + d));
    }
    if (records.isEmpty()) {
      return new MxRoute(d, List.of(d), null); // RFC 5321 §5.1: the implicit MX
    }
    if (records.size() == 1 && isRoot(records.get(0).host())) {
      return new MxRoute(
          d, List.of(), SmtpReply.of(556, "5.1.10", "domain " + d + " accepts no mail (null MX)"));
    }
    Map<Integer, List<String>> byPreference = new TreeMap<>();
    for (MxLookup.MxRecord r : records) {
      if (isRoot(r.host())) {
        continue; // a null MX beside real ones is ignored
      }
      List<String> same = byPreference.computeIfAbsent(r.preference(), k -> new ArrayList<>());
      String host = stripDot(r.host()).toLowerCase(Locale.ROOT);
      if (!same.contains(host)) {
        same.add(host);
      }
    }
    List<String> hosts = new ArrayList<>();
    for (List<String> same : byPreference.values()) {
      for (int i = same.size() - 1; i > 0; i--) { // Fisher-Yates
        int j = random.nextInt(i + 1);
        String t = same.get(i);
        same.set(i, same.get(j));
        same.set(j, t);
      }
      for (String h : same) {
        if (!hosts.contains(h)) {
          hosts.add(h);
        }
      }
    }
    return new MxRoute(d, hosts, null);
  }

  private static boolean isRoot(String host) {
    return host.isEmpty() || host.equals(".");
  }

  private static String stripDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }
}
