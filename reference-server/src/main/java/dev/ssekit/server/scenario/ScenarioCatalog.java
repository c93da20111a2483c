package dev.ssekit.server.scenario;

import dev.ssekit.protocol.Vectors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scripted streams served under {@code /scenarios}, as data.
 *
 * <p>A correct scenario's bytes are spec vectors, named by id and read from {@link Vectors}
 * (protocol's {@code vectors.jsonl}), and so are its expected items: what the vectors say a
 * conforming client reports, written from the spec, never computed. Vectors that share no state (no
 * id carried from one to the next, each ending on a line end that cannot pair with the next one's
 * first byte) are grouped into one scenario, one vector per write, so their expectations simply
 * concatenate. The few bytes that are not vectors (a first connection of M3, the faults) are
 * written in the vectors' notation ({@link ScriptParts#b}): Java escapes for text (every code
 * point is sent as UTF-8) and a bare integer such as {@code 0xEF} for one raw byte.
 *
 * <p>Correct scenarios end with a clean close (the last chunk, then FIN): per §9.2.2 a browser
 * then reconnects, which is how a client test observes the end of a scenario.
 *
 * <p>The {@linkplain #standard() standard catalog} is assembled here, in listing order, from its
 * families: {@link FieldScenarios} (what the fields mean), {@link FramingScenarios} (how the bytes
 * arrive), {@link HttpScenarios} (the response around the stream) and {@link FaultScenarios};
 * their building blocks are {@link ScriptParts}.
 */
public final class ScenarioCatalog {

  private final Map<String, Scenario> byName;

  /**
   * A catalog of the given scenarios, in the given order.
   *
   * @param scenarios scenarios with distinct names
   * @throws IllegalArgumentException on a repeated name
   */
  public ScenarioCatalog(List<Scenario> scenarios) {
    Map<String, Scenario> map = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      if (map.putIfAbsent(s.name(), s) != null) throw new IllegalArgumentException("duplicate scenario " + s.name());
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /** All scenarios, in listing order. */
  public List<Scenario> all() {
    return List.copyOf(byName.values());
  }

  /**
   * The scenario with this name.
   *
   * @param name URL segment of the scenario
   * @return the scenario, or empty when there is none
   */
  public Optional<Scenario> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The reference server's catalog: the correct streams first, then the faults. */
  public static ScenarioCatalog standard() {
    List<Scenario> s = new ArrayList<>();
    FieldScenarios.addFieldScenarios(s);
    FieldScenarios.addIdScenarios(s);
    FieldScenarios.addRetryScenarios(s);
    FramingScenarios.addLineEndScenarios(s);
    FramingScenarios.addChunkingScenarios(s);
    FramingScenarios.addEncodingScenarios(s);
    HttpScenarios.addHttpScenarios(s);
    FaultScenarios.addResponseFaults(s);
    FaultScenarios.addStreamFaults(s);
    return new ScenarioCatalog(s);
  }
}
