package dev.headend.cli;

import dev.headend.dns.server.ZoneException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code headend} command.
 *
 * <pre>
 * java -jar cli/target/headend.jar serve                 # embedded defaults on loopback
 * java -jar cli/target/headend.jar serve --dns-port 0 --zone example.net=example.net.zone
 * java -jar cli/target/headend.jar mail-copy maildir:headend-mail log:headend-log
 * </pre>
 *
 * Exit status: 0 after a clean stop, 1 when a service cannot start, 2 for a usage error.
 */
public final class Main {
  private Main() {}

  /** Runs the command line. */
  public static void main(String[] args) {
    int status = run(Arrays.asList(args), System.out, System.err, new CountDownLatch(1));
    System.exit(status);
  }

  /** Runs {@code args}; a {@code serve} keeps running until {@code stop} counts down. */
  static int run(List<String> args, PrintStream out, PrintStream err, CountDownLatch stop) {
    if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
      out.print(ServeOptions.USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    if (args.get(0).equals("mail-copy")) {
      return MailCopy.run(args.subList(1, args.size()), out, err);
    }
    if (!args.get(0).equals("serve")) {
      err.println("headend: unknown command " + args.get(0));
      err.print(ServeOptions.USAGE);
      return 2;
    }
    ServeOptions options;
    try {
      options = ServeOptions.parse(args.subList(1, args.size()));
    } catch (UsageException e) {
      if (e.getMessage().isEmpty()) {
        out.print(ServeOptions.USAGE);
        return 0;
      }
      err.println("headend: " + e.getMessage());
      err.print(ServeOptions.USAGE);
      return 2;
    }
    Serve serve;
    try {
      serve = Serve.start(options);
    } catch (IOException | ZoneException | UnsupportedOperationException e) {
      // UnsupportedOperationException: --dhcp-interface where it cannot be honoured
      err.println("headend: cannot start: " + e.getMessage());
      return 1;
    }
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              serve.close();
            },
            "headend-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("headend serving:");
    serve.description().forEach(line -> out.println("  " + line));
    out.println("ready (Ctrl-C stops)");
    out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    serve.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is what stopped us
    }
    out.println("stopped");
    return 0;
  }
}
