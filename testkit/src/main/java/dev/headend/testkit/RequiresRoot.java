package dev.headend.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs root (network namespaces, port 67, port 53). Without it the test is skipped on a
 * developer machine and fails in CI, like {@link RequiresPeer}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(PeerExtension.class)
public @interface RequiresRoot {
  /** Why root is needed, shown when it is missing. */
  String value();
}
