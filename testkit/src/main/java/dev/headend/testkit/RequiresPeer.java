package dev.headend.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs a real peer program, such as {@code dig} or {@code dhclient}.
 *
 * <p>When the program is missing the test is skipped, with the install hint, on a developer
 * machine; it <strong>fails</strong> when the environment variable {@code CI} is {@code true}, so
 * CI can never pass by silently skipping interoperability tests.
 *
 * <pre>{@code
 * @Tag("interop")
 * @RequiresPeer(value = "dig", install = "apt-get install -y bind9-dnsutils")
 * class DigInteropTest { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(RequiresPeer.List.class)
@ExtendWith(PeerExtension.class)
public @interface RequiresPeer {
  /** The program: a name looked up on PATH (and the sbin directories), or an absolute path. */
  String value();

  /** How to install it, shown when it is missing: {@code apt-get install -y bind9-dnsutils}. */
  String install() default "";

  /** Holds repeated {@link RequiresPeer} annotations. */
  @Documented
  @Inherited
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD})
  @ExtendWith(PeerExtension.class)
  @interface List {
    /** The repeated annotations. */
    RequiresPeer[] value();
  }
}
