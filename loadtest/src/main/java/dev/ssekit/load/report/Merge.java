package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Several injectors' runs against one server, started together with the same options, as one
 * run ({@code merge DIR…}).
 *
 * <ul>
 *   <li>Histograms add exactly; counts (connections, deliveries, lost, duplicated, out of order,
 *       diagnostics) sum. Events published: each load tester publishes its own events, so they
 *       sum; events the server published (no publish URL) are the same events seen by every
 *       injector, so the largest count is taken.
 *   <li>Timeline: one point at every instant any injector sampled; open streams there are the
 *       sum of each injector's latest count (0 outside its own run), server RSS that instant's
 *       sample (the largest, if several injectors sampled at once: every injector sampled the same
 *       server), the injector heap the largest, and each point keeps the latencies of the period
 *       it ends. (Not 500 ms bins: a late sampler's clustered points would collapse into one, and
 *       a single run would no longer merge into itself.)
 *   <li>Peak open: the merged timeline's peak, or the largest single injector's exact peak if that
 *       is higher (sampling can miss a peak).
 *   <li>Steps are merged by index: targets, open streams and each run's fewest open streams in its
 *       own window sum (the merged timeline's fewest would count an injector's last sample from
 *       before its window, while it was still connecting), latencies add, server RSS is the
 *       window's median from the merged timeline ({@link StepWindow}); the projection is recomputed
 *       by {@link Projections}, as for a single run. Server RSS baseline: the lowest (taken before
 *       any injector connected).
 *   <li>Injector heap peak: the largest; CPU seconds and RSS peaks: the sums over the injectors;
 *       RSS per stream refitted over the merged steps; the streams one injector machine drives:
 *       the lowest injector's. The timeline's injector readings and each step's injector figures
 *       (CPU, RSS, events published) sum; a step's span is the longest injector's.
 *   <li>Publishing (each injector publishing its own): rates asked and held sum; a publish's round
 *       trip percentile is the slowest injector's (percentiles do not add).
 *   <li>Duration: from the earliest start to the latest end.
 * </ul>
 */
public final class Merge {
  /** Diagnostics key: how many injector runs a record holds (absent means one). */
  public static final String INJECTORS = "injectors";
  /** Diagnostics key: the other injectors' events a run of one share timed and checked (present only in such runs). */
  public static final String PEER_EVENTS = "peerEvents";
  private static final long DEFAULT_TARGET = 100_000;
  private static final long DEFAULT_INSTANCE_MEMORY = 1L << 30;

  private Merge() {}

  /** The merged run and what the person merging should know. */
  public record Result(RunRecord run, List<String> warnings) {}

  /**
   * Merges the runs.
   *
   * @throws IllegalArgumentException when the runs are not of one test (scenario, target, steps),
   *     in one line
   */
  public static Result merge(List<RunRecord> runs) {
    requireOneTest(runs);
    CapacityReport f = runs.get(0).capacity();
    List<String> warnings = new ArrayList<>();
    List<RunRecord.TimelinePoint> timeline = timeline(runs);
    List<RunRecord.StepRecord> steps = steps(runs, timeline);
    Long rssBaseline = min(runs, r -> r.capacity().server().rssBytesBaseline());
    Map<String, Histogram> histograms = histograms(runs);
    Histogram lat = histograms.getOrDefault("deliveryLatency", new Histogram(3));
    Histogram con = histograms.getOrDefault("connect", new Histogram(3));
    CapacityReport.Events events = events(runs, f.target().publishUrl() != null);
    CapacityReport.Projection projection = Projections.project(f.target(), rssBaseline, steps.stream().map(Projections::step).toList(),
        Projections.lossFree(events), basis(runs, f.target().publishUrl() != null));
    long[] span = span(runs);
    if (span[2] == 0) {
      warnings.add("the runs did not all overlap in time, so the server never carried their load together;"
          + " the merged figures add runs that happened one after another");
    }
    CapacityReport report = new CapacityReport(
        f.scenario(), f.target(), span[0] >= 0 ? span[1] - span[0] : runs.stream().mapToLong(r -> r.capacity().durationMs()).max().orElse(0),
        connections(runs, timeline),
        Projections.connectMs(con),
        Projections.deliveryLatencyMs(lat),
        events,
        new CapacityReport.Server(rssBaseline, max(runs, r -> r.capacity().server().rssBytesPeak()), projection.bytesPerConnection()),
        new CapacityReport.Injector(
            runs.stream().mapToLong(r -> r.capacity().injector().heapBytesPeak()).max().orElse(0),
            Math.round(runs.stream().mapToDouble(r -> r.capacity().injector().cpuSeconds()).sum() * 1000) / 1000.0,
            bottleneck(runs), sumOrNull(runs, r -> r.capacity().injector().rssBytesPeak()),
            Projections.injectorBytesPerConnection(steps.stream().map(Projections::step).toList()),
            fewestPerMachine(runs) == null ? null : fewestPerMachine(runs).streams(),
            fewestPerMachine(runs) == null ? null : fewestPerMachine(runs).basis()),
        steps.stream().map(Projections::step).toList(),
        projection,
        failures(runs));
    return new Result(new RunRecord(report, histograms, diagnostics(runs), timeline, steps), warnings);
  }

  /**
   * The first run's basis, with the events each connection was sent per second summed over the
   * runs when they were shares of one test ({@code --injectors}, {@code --injector K/N}): each
   * published its share, every stream received them all, and each step's deliveries count them
   * all (each injector timed its peers' events), so the CPU limit's rate and its slope agree.
   * Runs side by side without shares time only their own events: their deliveries are 1/N of
   * what the server sent and so is the first run's rate, and the two stay as they are. (When the
   * server published, every injector saw the same events: the first run's rate stands.)
   */
  private static CapacityPlan.Basis basis(List<RunRecord> runs, boolean eachPublished) {
    CapacityPlan.Basis first = Projections.basis(runs.get(0).capacity().projection(), DEFAULT_TARGET, DEFAULT_INSTANCE_MEMORY);
    boolean shares = runs.stream().allMatch(r -> r.diagnostics().containsKey(PEER_EVENTS));
    if (!eachPublished || !shares || first.eventsPerConnectionPerSecond() == null) {
      return first;
    }
    double sum = 0;
    for (RunRecord r : runs) {
      CapacityReport.Plan plan = r.capacity().projection().plan();
      if (plan == null || plan.eventsPerConnectionPerSecond() == null) {
        return first;
      }
      sum += plan.eventsPerConnectionPerSecond();
    }
    return new CapacityPlan.Basis(first.targetConnections(), first.instanceMemoryBytes(), first.sloP99Ms(), first.serverMaxFiles(),
        first.serverFilesAtStart(), first.cores(), Math.round(sum * 1000) / 1000.0, first.coresShared());
  }

  /** Refuses runs that are not of one test: another scenario, other targets (or in another order), another number of steps. */
  private static void requireOneTest(List<RunRecord> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    RunRecord first = runs.get(0);
    CapacityReport f = first.capacity();
    for (int i = 1; i < runs.size(); i++) {
      CapacityReport o = runs.get(i).capacity();
      if (!o.scenario().equals(f.scenario())) {
        throw new IllegalArgumentException("run " + (i + 1) + " is a " + o.scenario() + " run and run 1 a " + f.scenario() + " run");
      }
      if (!o.target().urls().equals(f.target().urls())) {
        throw new IllegalArgumentException("run " + (i + 1) + " targeted " + o.target().describe() + " and run 1 "
            + f.target().describe());
      }
      if (runs.get(i).steps().size() != first.steps().size()) {
        throw new IllegalArgumentException("run " + (i + 1) + " has " + runs.get(i).steps().size() + " steps and run 1 "
            + first.steps().size() + " (start every injector with the same options)");
      }
    }
  }

  /** Every run's whole-run histograms, added by name (in the order the names first appear). */
  private static Map<String, Histogram> histograms(List<RunRecord> runs) {
    Map<String, Histogram> histograms = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    runs.forEach(r -> names.addAll(r.histograms().keySet()));
    for (String name : names) {
      histograms.put(name, add(runs.stream().map(r -> r.histograms().get(name)).filter(Objects::nonNull).toList()));
    }
    return histograms;
  }

  /** Counts summed; the peak from the merged timeline or the largest single run's, whichever is higher. */
  private static CapacityReport.Connections connections(List<RunRecord> runs, List<RunRecord.TimelinePoint> timeline) {
    long timelinePeak = timeline.stream().mapToLong(RunRecord.TimelinePoint::open).max().orElse(0);
    long singlePeak = runs.stream().mapToLong(r -> r.capacity().connections().peakOpen()).max().orElse(0);
    return new CapacityReport.Connections(
        sum(runs, r -> r.capacity().connections().requested()),
        sum(runs, r -> r.capacity().connections().opened()),
        sum(runs, r -> r.capacity().connections().failed()),
        timeline.isEmpty() ? sum(runs, r -> r.capacity().connections().peakOpen()) : Math.max(timelinePeak, singlePeak),
        sumOrNull(runs, r -> r.capacity().connections().reconnects()),
        recovery(runs));
  }

  /**
   * Counts summed; events published summed when each load tester published its own ({@code
   * ownPublisher}), else the largest count (every injector saw the server's same events).
   */
  private static CapacityReport.Events events(List<RunRecord> runs, boolean ownPublisher) {
    return new CapacityReport.Events(
        ownPublisher ? sumOrNull(runs, r -> r.capacity().events().published()) : max(runs, r -> r.capacity().events().published()),
        sum(runs, r -> r.capacity().events().expectedDeliveries()),
        sum(runs, r -> r.capacity().events().delivered()),
        sum(runs, r -> r.capacity().events().lost()),
        sum(runs, r -> r.capacity().events().duplicated()),
        sum(runs, r -> r.capacity().events().outOfOrder()),
        sum(runs, r -> r.capacity().events().notYetRead()),
        ownPublisher ? publishing(runs) : null);
  }

  /**
   * The injectors' publishing together: the rates asked and held summed; a percentile of the
   * round trips is the largest injector's (percentiles do not add). Null unless every run published.
   */
  private static CapacityReport.Publishing publishing(List<RunRecord> runs) {
    double asked = 0;
    Double held = 0.0;
    Double p50 = null;
    Double p99 = null;
    for (RunRecord r : runs) {
      CapacityReport.Publishing p = r.capacity().events().publishing();
      if (p == null) {
        return null;
      }
      asked += p.ratePerSecond();
      held = held == null || p.publishedPerSecond() == null ? null : held + p.publishedPerSecond();
      p50 = p.roundTripP50Ms() == null ? p50 : p50 == null ? p.roundTripP50Ms() : Math.max(p50, p.roundTripP50Ms());
      p99 = p.roundTripP99Ms() == null ? p99 : p99 == null ? p.roundTripP99Ms() : Math.max(p99, p.roundTripP99Ms());
    }
    return new CapacityReport.Publishing(asked, held == null ? null : Math.round(held * 1000) / 1000.0, p50, p99);
  }

  /**
   * The fewest streams one injector machine could drive, of every run that says (each run's
   * machine is judged on its own share), with that run's basis; null when none says.
   */
  private static CapacityReport.InjectorMachine fewestPerMachine(List<RunRecord> runs) {
    CapacityReport.InjectorMachine fewest = null;
    for (int i = 0; i < runs.size(); i++) {
      CapacityReport.Injector in = runs.get(i).capacity().injector();
      if (in.streamsPerMachine() != null && (fewest == null || in.streamsPerMachine() < fewest.streams())) {
        fewest = new CapacityReport.InjectorMachine(in.streamsPerMachine(),
            runs.size() == 1 ? in.streamsPerMachineBasis() : "injector " + (i + 1) + ": " + in.streamsPerMachineBasis());
      }
    }
    return fewest;
  }

  /** Each injector's bottleneck, as "injector N: why", or null when none was flagged. */
  private static String bottleneck(List<RunRecord> runs) {
    List<String> flagged = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      String b = runs.get(i).capacity().injector().bottleneck();
      if (b != null) {
        flagged.add(runs.size() == 1 ? b : "injector " + (i + 1) + ": " + b);
      }
    }
    return flagged.isEmpty() ? null : String.join("; ", flagged);
  }

  /** The runs' failures, summed by kind; the first run's message of a kind is kept. */
  private static List<CapacityReport.Failure> failures(List<RunRecord> runs) {
    Map<String, CapacityReport.Failure> byKind = new LinkedHashMap<>();
    for (RunRecord r : runs) {
      for (CapacityReport.Failure f : r.capacity().failures()) {
        byKind.merge(f.kind(), f, (a, b) -> new CapacityReport.Failure(a.kind(), a.count() + b.count(), a.message()));
      }
    }
    return CapacityReport.Failure.KINDS.stream().filter(byKind::containsKey).map(byKind::get).toList();
  }

  /**
   * The injectors' timelines on one time axis: a point at every instant any injector sampled
   * (see the class comment). A single run's timeline comes back unchanged.
   */
  static List<RunRecord.TimelinePoint> timeline(List<RunRecord> runs) {
    // instant → per run, the points sampled then
    TreeMap<Long, List<List<RunRecord.TimelinePoint>>> instants = new TreeMap<>();
    long[] first = new long[runs.size()];
    long[] last = new long[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      first[i] = Long.MAX_VALUE;
      last[i] = Long.MIN_VALUE;
      for (RunRecord.TimelinePoint p : runs.get(i).timeline()) {
        instants.computeIfAbsent(p.atMs(), t -> {
          List<List<RunRecord.TimelinePoint>> l = new ArrayList<>();
          runs.forEach(r -> l.add(new ArrayList<>()));
          return l;
        }).get(i).add(p);
        first[i] = Math.min(first[i], p.atMs());
        last[i] = Math.max(last[i], p.atMs());
      }
    }
    long[] lastOpen = new long[runs.size()];
    long[] lastHeap = new long[runs.size()];
    RunRecord.InjectorReading[] lastInjector = new RunRecord.InjectorReading[runs.size()];
    List<RunRecord.TimelinePoint> merged = new ArrayList<>(instants.size());
    for (var instant : instants.entrySet()) {
      long t = instant.getKey();
      long open = 0;
      long heap = 0;
      Long rss = null;
      Double cpu = null;
      List<String> encoded = new ArrayList<>();
      List<RunRecord.InjectorReading> injectors = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        for (RunRecord.TimelinePoint p : instant.getValue().get(i)) {
          encoded.add(p.deliveryLatency());
          lastOpen[i] = p.open();
          lastHeap[i] = p.injectorHeapBytes();
          lastInjector[i] = p.injector();
          if (p.serverRssBytes() != null) {
            rss = rss == null ? p.serverRssBytes() : Math.max(rss, p.serverRssBytes());
          }
          if (p.serverCpuSeconds() != null) { // one server: its CPU time is the same counter for every injector
            cpu = cpu == null ? p.serverCpuSeconds() : Math.max(cpu, p.serverCpuSeconds());
          }
        }
        if (first[i] <= t && t <= last[i]) { // run i's streams count only while it ran
          open += lastOpen[i];
          heap = Math.max(heap, lastHeap[i]);
        }
        injectors.add(lastInjector[i]); // counters: a run's last reading stands before its next (and after it ended)
      }
      merged.add(new RunRecord.TimelinePoint(t, open, rss, heap, encoded.size() == 1 ? encoded.get(0)
          : HistogramFile.encode(add(encoded.stream().map(HistogramFile::decode).toList())), cpu, sum(injectors)));
    }
    return merged;
  }

  /**
   * The injectors' readings summed (CPU and published are counters, RSS a level); null until every
   * run has a reading, so a merged counter never jumps when a late injector's first reading arrives.
   */
  private static RunRecord.InjectorReading sum(List<RunRecord.InjectorReading> readings) {
    double cpu = 0;
    Long rss = 0L;
    Long published = 0L;
    for (RunRecord.InjectorReading r : readings) {
      if (r == null) {
        return null;
      }
      cpu += r.cpuSeconds();
      rss = plus(rss, r.rssBytes());
      published = plus(published, r.published());
    }
    return new RunRecord.InjectorReading(cpu, rss, published);
  }

  /** {@code a + b}, or null when either is not known. */
  private static Long plus(Long a, Long b) {
    return a == null || b == null ? null : a + b;
  }


  private static List<RunRecord.StepRecord> steps(List<RunRecord> runs, List<RunRecord.TimelinePoint> timeline) {
    List<RunRecord.StepRecord> steps = new ArrayList<>();
    for (int k = 0; k < runs.get(0).steps().size(); k++) {
      long target = 0;
      long open = 0;
      Long openMin = 0L;
      long from = Long.MAX_VALUE;
      long to = Long.MIN_VALUE;
      List<Histogram> latencies = new ArrayList<>();
      List<CapacityReport.StepInjector> injectors = new ArrayList<>();
      for (RunRecord r : runs) {
        RunRecord.StepRecord s = r.steps().get(k);
        injectors.add(s.injector());
        target += s.target();
        open += s.open();
        openMin = openMin == null || s.openMin() == null ? null : openMin + s.openMin();
        from = Math.min(from, s.fromMs());
        to = Math.max(to, s.toMs());
        latencies.add(s.deliveryLatency());
      }
      RunRecord.StepRecord measured = StepWindow.measure(target, from, to, timeline);
      steps.add(new RunRecord.StepRecord(target, from, to, open, measured.rssBytes(), add(latencies),
          measured.serverCpuSeconds(), openMin != null ? openMin : measured.openMin(), measured.cpuSpanMs(),
          sumSteps(injectors)));
    }
    return steps;
  }

  /**
   * Each injector's own figures for one step, summed (their spans: the longest); null unless every
   * run has them.
   */
  private static CapacityReport.StepInjector sumSteps(List<CapacityReport.StepInjector> each) {
    Double cpu = 0.0;
    Long rss = 0L;
    Long published = 0L;
    Long span = null;
    for (CapacityReport.StepInjector s : each) {
      if (s == null) {
        return null;
      }
      cpu = cpu == null || s.cpuSeconds() == null ? null : cpu + s.cpuSeconds();
      rss = plus(rss, s.rssBytes());
      published = plus(published, s.published());
      span = s.spanMs() == null ? span : span == null ? s.spanMs() : Math.max(span, s.spanMs());
    }
    return new CapacityReport.StepInjector(cpu == null ? null : Math.round(cpu * 1000) / 1000.0, rss, published, span);
  }

  /**
   * The storm's recovery over all injectors: null unless every run's streams all recovered (one
   * stream that never did means the merged run did not recover either), else the slowest run's.
   * Each injector drops its streams on its own schedule, so this is the longest recovery of one
   * injector's drop, not a span across injectors.
   */
  private static Long recovery(List<RunRecord> runs) {
    Long slowest = null;
    for (RunRecord r : runs) {
      Long ms = r.capacity().connections().recoveryMs();
      if (ms == null) {
        return null;
      }
      slowest = slowest == null ? ms : Math.max(slowest, ms);
    }
    return slowest;
  }

  /** Diagnostics that are a spread or a delay, not a count: the merged value is the largest. */
  private static final java.util.Set<String> LARGEST = java.util.Set.of("stormDropSpreadMs", "stormReconnectDelayMs");

  private static Map<String, Long> diagnostics(List<RunRecord> runs) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (RunRecord r : runs) {
      r.diagnostics().forEach((k, v) -> out.merge(k, v,
          k.equals(InjectorBottleneck.MAX_HEAP) ? Math::min : LARGEST.contains(k) ? Math::max : Long::sum));
    }
    // The heap rule compares the largest heap peak with the smallest maximum (conservative);
    // the CPU rule compares the summed CPU with the summed cores (separate machines assumed).
    out.put(INJECTORS, runs.stream().mapToLong(r -> r.diagnostics().getOrDefault(INJECTORS, 1L)).sum());
    return out;
  }

  /**
   * {earliest start, latest end, 1 if every run overlaps every other else 0} in epoch ms, from
   * each run's last sample and its duration; the first two are -1 when a run has no timeline.
   */
  private static long[] span(List<RunRecord> runs) {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    long latestStart = Long.MIN_VALUE;
    long earliestEnd = Long.MAX_VALUE;
    for (RunRecord r : runs) {
      if (r.timeline().isEmpty()) {
        return new long[] {-1, -1, 1};
      }
      long e = r.timeline().get(r.timeline().size() - 1).atMs();
      long s = e - r.capacity().durationMs();
      start = Math.min(start, s);
      end = Math.max(end, e);
      latestStart = Math.max(latestStart, s);
      earliestEnd = Math.min(earliestEnd, e);
    }
    return new long[] {start, end, latestStart < earliestEnd ? 1 : 0};
  }

  /** Histograms added into a new auto-resizing one (exact: same precision as ours). */
  static Histogram add(List<Histogram> hs) {
    int digits = hs.stream().mapToInt(Histogram::getNumberOfSignificantValueDigits).max().orElse(3);
    Histogram sum = new Histogram(digits);
    hs.forEach(sum::add);
    return sum;
  }

  private static long sum(List<RunRecord> runs, Function<RunRecord, Long> f) {
    return runs.stream().mapToLong(f::apply).sum();
  }

  private static Long sumOrNull(List<RunRecord> runs, Function<RunRecord, Long> f) {
    return runs.stream().map(f).anyMatch(Objects::isNull) ? null : sum(runs, f);
  }

  private static Long max(List<RunRecord> runs, Function<RunRecord, Long> f) {
    return runs.stream().map(f).filter(Objects::nonNull).max(Long::compare).orElse(null);
  }

  private static Long min(List<RunRecord> runs, Function<RunRecord, Long> f) {
    return runs.stream().map(f).filter(Objects::nonNull).min(Long::compare).orElse(null);
  }
}
