package dev.headend.dns.resolver;

import dev.headend.core.Transmit;
import dev.headend.testkit.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Runs a {@link DeckardScenario} against our {@link IterativeResolver} engine: client queries go in
 * at QUERY steps, the resolver's upstream queries are answered from the RANGE entries of the
 * address they are sent to (valid at the current step), and each CHECK_ANSWER compares the last
 * client answer by the entry's MATCH rules. Returns the mismatches.
 */
final class DeckardRunner {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);
  private static final List<String> HEADER_FLAGS =
      List.of("QR", "AA", "TC", "RD", "RA", "AD", "CD");

  private final DeckardScenario s;
  private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  private final IterativeResolver resolver;
  private final List<String> failures = new ArrayList<>();
  private int currentStep;
  private byte[] lastAnswer;
  private int queryId = 1;
  // one-shot answers (STEP n REPLY), used in order for queries no RANGE answers
  private final List<DeckardScenario.Entry> replies = new ArrayList<>();

  DeckardRunner(DeckardScenario s) throws Exception {
    this.s = s;
    String root = s.config.getOrDefault("stub-addr", "193.0.14.129");
    this.resolver =
        IterativeResolver.builder(
                RootHints.of(new InetSocketAddress(InetAddress.getByName(root), 53)))
            .random(new Random(1))
            .prefetch(false)
            .ipv6(!"no".equals(s.config.get("do-ip6")))
            .build();
    for (DeckardScenario.Step step : s.steps) {
      if (step.type().equals("REPLY")) {
        replies.add(step.entry());
      }
    }
  }

  List<String> run() throws Exception {
    List<DeckardScenario.Step> steps = new ArrayList<>(s.steps);
    steps.sort(Comparator.comparingInt(DeckardScenario.Step::id));
    for (DeckardScenario.Step step : steps) {
      currentStep = step.id();
      switch (step.type()) {
        case "QUERY" -> query(step.entry());
        case "CHECK_ANSWER" -> check(step.entry());
        case "TIME_PASSES" -> clock.advance(Duration.ofSeconds(step.elapse()));
        default -> {} // REPLY steps (discouraged one-shot answers) are not used by these files
      }
    }
    return failures;
  }

  private void query(DeckardScenario.Entry e) throws Exception {
    Message q = new Message(queryId++);
    for (String flag : e.flags) {
      if (HEADER_FLAGS.contains(flag)) {
        q.getHeader().setFlag(Flags.value(flag));
      }
    }
    for (Record r : e.question) {
      q.addRecord(r, Section.QUESTION);
    }
    q.addRecord(
        new OPTRecord(4096, 0, 0, e.flags.contains("DO") ? Flags.DO : 0), Section.ADDITIONAL);
    lastAnswer = null;
    resolver.handle(clock.instant(), CLIENT, ByteBuffer.wrap(q.toWire()));
    runNetwork();
  }

  private void runNetwork() throws Exception {
    for (int round = 0; round < 100_000; round++) {
      boolean moved = false;
      Transmit t;
      while ((t = resolver.pollTransmit()) != null) {
        moved = true;
        byte[] bytes = bytes(t.payload());
        if ((bytes[2] & 0x80) != 0) {
          lastAnswer = bytes;
        } else {
          deliver(t.destination(), bytes);
        }
      }
      ResolverEvent e;
      while ((e = resolver.pollEvent()) != null) {
        if (e instanceof ResolverEvent.TcpQuery tcp) {
          moved = true;
          deliver(tcp.server(), tcp.query());
        }
      }
      if (!moved) {
        Instant next = resolver.pollTimeout();
        if (next == null) {
          return;
        }
        if (next.isAfter(clock.instant())) {
          clock.set(next);
        }
        resolver.handleTimeout(clock.instant());
      }
    }
    failures.add("step " + currentStep + ": the resolver never settled");
  }

  /** -Ddeckard.trace=true prints every upstream exchange (for debugging a scenario). */
  private static final boolean TRACE = Boolean.getBoolean("deckard.trace");

  private void deliver(InetSocketAddress to, byte[] query) throws Exception {
    Message q = new Message(query);
    if (!answerFromRanges(to, q)) {
      for (int i = 0; i < replies.size(); i++) {
        if (matchesQuery(replies.get(i), q)) {
          answer(to, q, replies.remove(i));
          return;
        }
      }
    }
  }

  private boolean answerFromRanges(InetSocketAddress to, Message q) throws Exception {
    if (TRACE) {
      System.err.println(
          "step "
              + currentStep
              + " -> "
              + to.getAddress().getHostAddress()
              + " "
              + q.getQuestion());
    }
    for (DeckardScenario.Range range : s.ranges) {
      if (currentStep < range.from
          || currentStep > range.to
          || !range.addresses.contains(to.getAddress())) {
        continue;
      }
      for (DeckardScenario.Entry e : range.entries) {
        if (matchesQuery(e, q)) {
          answer(to, q, e);
          return true;
        }
      }
    }
    return false;
  }

  private void answer(InetSocketAddress to, Message q, DeckardScenario.Entry e) throws Exception {
    byte[] reply = reply(e, q);
    if (TRACE) {
      System.err.println(
          "   <- "
              + (reply == null
                  ? "(no answer)"
                  : new Message(reply).toString().replace("\n", "\n      ")));
    }
    if (reply != null) {
      resolver.handle(clock.instant(), to, ByteBuffer.wrap(reply));
    }
  }

  private static boolean matchesQuery(DeckardScenario.Entry e, Message q) {
    Record question = q.getQuestion();
    Record expected = e.question.isEmpty() ? null : e.question.get(0);
    for (String m : e.match) {
      boolean ok =
          switch (m) {
            case "opcode" -> q.getHeader().getOpcode() == Opcode.QUERY;
            case "qtype" ->
                expected == null || (question != null && question.getType() == expected.getType());
            case "qname" ->
                expected == null
                    || (question != null && question.getName().equals(expected.getName()));
            case "qcase" ->
                expected == null
                    || (question != null
                        && question
                            .getName()
                            .toString(false)
                            .equals(expected.getName().toString(false)));
            case "subdomain" ->
                expected == null
                    || (question != null && question.getName().subdomain(expected.getName()));
            case "question", "all" ->
                expected == null
                    || (question != null
                        && question.getType() == expected.getType()
                        && question.getName().equals(expected.getName()));
            default -> true; // other elements describe answers, not queries
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static byte[] reply(DeckardScenario.Entry e, Message q) throws Exception {
    if (e.adjust.contains("do_not_answer")) {
      return null;
    }
    if (e.raw != null) {
      byte[] raw = e.raw.clone();
      if (e.adjust.contains("raw_id") || e.adjust.contains("copy_id")) {
        raw[0] = (byte) (q.getHeader().getID() >> 8);
        raw[1] = (byte) q.getHeader().getID();
      }
      return raw;
    }
    Message r = new Message(e.adjust.contains("copy_id") ? q.getHeader().getID() : 0);
    for (String flag : e.flags) {
      if (HEADER_FLAGS.contains(flag)) {
        r.getHeader().setFlag(Flags.value(flag));
      }
    }
    r.getHeader().setRcode(e.rcode);
    Record question = q.getQuestion();
    if (e.adjust.contains("copy_query") || e.question.isEmpty()) {
      if (question != null) {
        r.addRecord(question, Section.QUESTION);
      }
    } else {
      Record expected = e.question.get(0);
      r.addRecord(
          Record.newRecord(
              e.adjust.contains("copy_id") && question != null
                  ? question.getName()
                  : expected.getName(),
              expected.getType(),
              expected.getDClass()),
          Section.QUESTION);
    }
    e.answer.forEach(x -> r.addRecord(x, Section.ANSWER));
    e.authority.forEach(x -> r.addRecord(x, Section.AUTHORITY));
    e.additional.forEach(x -> r.addRecord(x, Section.ADDITIONAL));
    if (e.flags.contains("DO")) {
      r.addRecord(new OPTRecord(4096, 0, 0, Flags.DO), Section.ADDITIONAL);
    }
    return r.toWire();
  }

  private void check(DeckardScenario.Entry e) throws Exception {
    if (lastAnswer == null) {
      failures.add("step " + currentStep + ": no answer");
      return;
    }
    Message got = new Message(lastAnswer);
    Set<String> elements = new TreeSet<>(e.match);
    if (elements.remove("all")) {
      elements.addAll(
          List.of(
              "opcode", "qtype", "qname", "flags", "rcode", "answer", "authority", "additional"));
    }
    if (elements.remove("question")) {
      elements.addAll(List.of("qtype", "qname"));
    }
    Record q = got.getQuestion();
    Record expected = e.question.isEmpty() ? null : e.question.get(0);
    for (String m : elements) {
      String problem =
          switch (m) {
            case "opcode" -> got.getHeader().getOpcode() == Opcode.QUERY ? null : "opcode";
            case "qtype" ->
                expected == null || (q != null && q.getType() == expected.getType())
                    ? null
                    : "qtype";
            case "qname" ->
                expected == null || (q != null && q.getName().equals(expected.getName()))
                    ? null
                    : "qname";
            case "flags" ->
                flags(got).equals(expectedFlags(e))
                    ? null
                    : "flags " + flags(got) + " expected " + expectedFlags(e);
            case "rcode" ->
                got.getRcode() == e.rcode
                    ? null
                    : "rcode "
                        + Rcode.string(got.getRcode())
                        + " expected "
                        + Rcode.string(e.rcode);
            case "answer" -> section(got, Section.ANSWER, e.answer);
            case "authority" -> section(got, Section.AUTHORITY, e.authority);
            case "additional" -> section(got, Section.ADDITIONAL, e.additional);
            default -> null;
          };
      if (problem != null) {
        failures.add("step " + currentStep + ": " + problem + "\n" + got);
      }
    }
  }

  private static Set<String> flags(Message m) {
    Set<String> f = new TreeSet<>();
    for (String flag : HEADER_FLAGS) {
      if (m.getHeader().getFlag(Flags.value(flag))) {
        f.add(flag);
      }
    }
    return f;
  }

  private static Set<String> expectedFlags(DeckardScenario.Entry e) {
    Set<String> f = new TreeSet<>(e.flags);
    f.retainAll(HEADER_FLAGS);
    return f;
  }

  /** Compares a section as a multiset of records, ignoring TTLs and the OPT pseudo-record. */
  private static String section(Message got, int section, List<Record> expected) {
    List<String> g = new ArrayList<>();
    for (Record r : got.getSection(section)) {
      if (r.getType() != Type.OPT) {
        g.add(key(r));
      }
    }
    List<String> x = new ArrayList<>();
    for (Record r : expected) {
      x.add(key(r));
    }
    g.sort(null);
    x.sort(null);
    return g.equals(x) ? null : Section.string(section) + " " + g + " expected " + x;
  }

  private static String key(Record r) {
    return r.getName().toString().toLowerCase(Locale.ROOT)
        + " "
        + DClass.string(r.getDClass())
        + " "
        + Type.string(r.getType())
        + " "
        + r.rdataToString().toLowerCase(Locale.ROOT);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
