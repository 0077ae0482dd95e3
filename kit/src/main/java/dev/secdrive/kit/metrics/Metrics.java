package dev.secdrive.kit.metrics;

import dev.secdrive.kit.http.Binary;
import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/** A server's own Micrometer registry and its scrape. */
public final class Metrics {

  /** The Prometheus text exposition format, version 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private Metrics() {}

  /** A registry on the system clock. */
  public static PrometheusMeterRegistry registry() {
    return registry(System::nanoTime);
  }

  /**
   * A registry whose timers read {@code nanoClock} (a test's injected clock, {@code
   * System::nanoTime} outside tests); wall-clock time, which only stamps the scrape, is the
   * system's.
   */
  public static PrometheusMeterRegistry registry(LongSupplier nanoClock) {
    Clock clock =
        new Clock() {
          @Override
          public long wallTime() {
            return System.currentTimeMillis();
          }

          @Override
          public long monotonicTime() {
            return nanoClock.getAsLong();
          }
        };
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
  }

  /** What {@code GET /metrics} answers: every meter of {@code registry}, as text. */
  public static Binary scrape(PrometheusMeterRegistry registry) {
    return new Binary(CONTENT_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
