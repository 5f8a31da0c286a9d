package dev.headend.tftp;

import dev.headend.core.DatagramEngine;
import dev.headend.tftp.wire.MalformedTftpPacketException;
import dev.headend.tftp.wire.TftpPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic network for engines: datagrams take a latency, may be lost, duplicated or delayed
 * (so they reorder); time only moves when nothing can happen sooner. A {@link TftpServer} placed on
 * it gets each accepted transfer attached on a fresh port, as the UDP adapter does.
 */
final class SimulatedNetwork {
  static final InetAddress SERVER_HOST = address(10, 0, 0, 1);
  static final InetAddress CLIENT_HOST = address(10, 0, 0, 2);

  record Sent(Instant at, InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
    TftpPacket packet() {
      try {
        return TftpPacket.decode(ByteBuffer.wrap(bytes));
      } catch (MalformedTftpPacketException e) {
        throw new AssertionError(e);
      }
    }
  }

  private record InFlight(Instant at, long seq, Sent sent) {}

  private final Map<InetSocketAddress, DatagramEngine<?>> nodes = new LinkedHashMap<>();
  private final Map<InetSocketAddress, InetSocketAddress> aliases = new LinkedHashMap<>();
  private final PriorityQueue<InFlight> inFlight =
      new PriorityQueue<>(
          (a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
  private final List<Sent> log = new ArrayList<>();
  final List<Object> events = new ArrayList<>();
  private final Map<DatagramEngine<?>, List<Object>> eventsByEngine =
      new java.util.IdentityHashMap<>();
  private final Random random;
  private double loss;
  private double duplication;
  private double reordering;
  private Duration latency = Duration.ofMillis(1);
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private long seq;
  private int nextPort = 50000;
  private boolean keepLog = true;
  private final ByteBuffer buf = ByteBuffer.allocate(65536);

  SimulatedNetwork(long seed) {
    this.random = new Random(seed);
  }

  SimulatedNetwork faults(double loss, double duplication, double reordering) {
    this.loss = loss;
    this.duplication = duplication;
    this.reordering = reordering;
    return this;
  }

  SimulatedNetwork keepLog(boolean on) {
    this.keepLog = on;
    return this;
  }

  Instant now() {
    return now;
  }

  void attach(InetSocketAddress at, DatagramEngine<?> engine) {
    nodes.put(at, engine);
  }

  /** Delivers what is sent to {@code extra} (a broadcast address) to the engine at {@code at}. */
  void alias(InetSocketAddress extra, InetSocketAddress at) {
    aliases.put(extra, at);
  }

  /** Attaches a server at port 69 whose accepted transfers get ports of their own. */
  InetSocketAddress attachServer(TftpServer server) {
    InetSocketAddress at = new InetSocketAddress(SERVER_HOST, 69);
    attach(at, server);
    return at;
  }

  InetSocketAddress clientAddress(int port) {
    return new InetSocketAddress(CLIENT_HOST, port);
  }

  /** Injects a datagram as if {@code from} had sent it. */
  void inject(InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
    schedule(new Sent(now, from, to, bytes), now);
  }

  List<Sent> log() {
    return log;
  }

  /** Runs until nothing is in flight and no engine has a deadline, or {@code limit} passes. */
  void run(Duration limit) {
    Instant end = now.plus(limit);
    flushAll();
    while (true) {
      Instant next = null;
      if (!inFlight.isEmpty()) {
        next = inFlight.peek().at;
      }
      for (DatagramEngine<?> e : nodes.values()) {
        Instant d = e.pollTimeout();
        if (d != null && (next == null || d.isBefore(next))) {
          next = d;
        }
      }
      if (next == null || next.isAfter(end)) {
        return;
      }
      if (next.isAfter(now)) {
        now = next;
      }
      while (!inFlight.isEmpty() && !inFlight.peek().at.isAfter(now)) {
        Sent s = inFlight.poll().sent;
        InetSocketAddress to = aliases.getOrDefault(s.to, s.to);
        DatagramEngine<?> target = nodes.get(to);
        if (target != null) {
          target.handle(now, s.from, ByteBuffer.wrap(s.bytes).asReadOnlyBuffer());
          flush(to, target);
        }
      }
      for (Map.Entry<InetSocketAddress, DatagramEngine<?>> e : List.copyOf(nodes.entrySet())) {
        Instant d = e.getValue().pollTimeout();
        if (d != null && !d.isAfter(now)) {
          e.getValue().handleTimeout(now);
          flush(e.getKey(), e.getValue());
        }
      }
    }
  }

  private void flushAll() {
    for (Map.Entry<InetSocketAddress, DatagramEngine<?>> e : List.copyOf(nodes.entrySet())) {
      flush(e.getKey(), e.getValue());
    }
  }

  private void flush(InetSocketAddress at, DatagramEngine<?> engine) {
    while (true) {
      buf.clear();
      InetSocketAddress to = engine.pollTransmit(buf);
      if (to == null) {
        break;
      }
      buf.flip();
      Sent s = new Sent(now, at, to, Arrays.copyOfRange(buf.array(), 0, buf.limit()));
      if (keepLog) {
        log.add(s);
      }
      if (random.nextDouble() < loss) {
        continue;
      }
      schedule(s, now.plus(latency).plus(jitter()));
      if (random.nextDouble() < duplication) {
        schedule(s, now.plus(latency).plus(jitter()).plus(latency));
      }
    }
    Object e;
    while ((e = engine.pollEvent()) != null) {
      events.add(e);
      eventsByEngine.computeIfAbsent(engine, k -> new ArrayList<>()).add(e);
      if (e instanceof TftpServerEvent.Accepted a) {
        InetSocketAddress port = new InetSocketAddress(at.getAddress(), nextPort++);
        attach(port, a.transfer());
        flush(port, a.transfer());
      }
    }
  }

  private Duration jitter() {
    return random.nextDouble() < reordering
        ? Duration.ofMillis(1 + random.nextInt(20))
        : Duration.ZERO;
  }

  private void schedule(Sent s, Instant at) {
    inFlight.add(new InFlight(at, seq++, s));
  }

  /** The one event {@code engine} reported (a transfer reports exactly one). */
  TransferEvent outcome(DatagramEngine<?> engine) {
    List<Object> list = eventsByEngine.getOrDefault(engine, List.of());
    if (list.size() != 1) {
      throw new AssertionError("expected one event from " + engine + ", got " + list);
    }
    return (TransferEvent) list.get(0);
  }

  <T> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static InetAddress address(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
