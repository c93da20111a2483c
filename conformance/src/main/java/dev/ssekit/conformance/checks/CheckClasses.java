package dev.ssekit.conformance.checks;

import java.util.ArrayList;
import java.util.List;

/**
 * The check classes, in report order. The CLI selects these by name so that it never depends on
 * classpath scanning inside its own jar; a user's build can select the package instead.
 */
public final class CheckClasses {

  private static final String[] NAMES = {"HttpChecks", "FramingChecks", "FieldChecks", "ReconnectChecks",
      "DeliveryChecks", "LifecycleChecks", "ReleaseChecks"};

  private CheckClasses() {}

  /** The check classes present in this build. */
  public static List<Class<?>> all() {
    List<Class<?>> out = new ArrayList<>();
    for (String n : NAMES) {
      try {
        out.add(Class.forName(CheckClasses.class.getPackageName() + "." + n));
      } catch (ClassNotFoundException absent) {
        throw new IllegalStateException("check class " + n + " is missing from this build", absent);
      }
    }
    return out;
  }
}
