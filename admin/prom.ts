/**
 * Owns cachelab's use of npm:prom-client (the one module that imports
 * it): a registry of metrics whose values are read at scrape time from
 * callbacks, so the proxy keeps its own counters and pays nothing when
 * nobody scrapes, and their Prometheus text exposition (format 0.0.4).
 *
 * Must not know what the metrics mean (admin/metrics.ts names them) nor
 * read the proxy's state itself.
 */

import client from "prom-client";

/** The Content-Type of the text exposition format. */
export const METRICS_CONTENT_TYPE: string =
  client.Registry.PROMETHEUS_CONTENT_TYPE;

/** One value of a metric, with its labels (none when absent). */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** One labelled histogram, its buckets cumulative as Prometheus wants them. */
export interface HistogramSample {
  labels?: Record<string, string>;
  /** Observations <= bounds[i], then the total count last (the +Inf bucket). */
  cumulative: readonly number[];
  /** Sum of the observed values (in the histogram's unit). */
  sum: number;
}

/** What a metric is and where its values come from at scrape time. */
export interface MetricSpec<T> {
  /** A Prometheus metric name, e.g. "cachelab_requests_total". */
  name: string;
  help: string;
  /** The label names its samples use (none when absent). */
  labelNames?: readonly string[];
  /** Reads the current values; called at each scrape. */
  read: () => T[];
}

/** Metrics read from callbacks, rendered as Prometheus text. */
export class MetricsRegistry {
  readonly #registry = new client.Registry();

  /** A monotonic counter. Throws an Error for a name already registered. */
  counter(spec: MetricSpec<Sample>): void {
    new client.Counter(this.#collected<client.Counter>(spec, (metric, s) => {
      metric.inc(s.labels ?? {}, s.value);
    }));
  }

  /** A value that goes up and down. Throws an Error for a name already registered. */
  gauge(spec: MetricSpec<Sample>): void {
    new client.Gauge(this.#collected<client.Gauge>(spec, (metric, s) => {
      metric.set(s.labels ?? {}, s.value);
    }));
  }

  /**
   * The options of a metric read at each scrape: reset, then each sample
   * of `spec.read()` put in with `put`.
   */
  #collected<M extends { reset(): void }>(
    spec: MetricSpec<Sample>,
    put: (metric: M, sample: Sample) => void,
  ) {
    return {
      name: spec.name,
      help: spec.help,
      labelNames: [...(spec.labelNames ?? [])],
      registers: [this.#registry],
      collect(this: M) {
        this.reset();
        for (const s of spec.read()) put(this, s);
      },
    };
  }

  /**
   * A histogram whose buckets someone else fills (`bounds`: the upper
   * bounds, ascending, in the metric's unit, without +Inf): rendered as
   * prom-client renders its own (`_bucket{le}`, `_sum`, `_count`).
   */
  histogram(
    spec: MetricSpec<HistogramSample> & { bounds: readonly number[] },
  ): void {
    const { name, help, bounds, read } = spec;
    const les = [...bounds.map(String), "+Inf"];
    const collect = () => {
      const values: {
        labels: Record<string, string | number>;
        value: number;
        metricName: string;
      }[] = [];
      for (const s of read()) {
        const labels = s.labels ?? {};
        les.forEach((le, i) =>
          values.push({
            labels: { ...labels, le },
            value: s.cumulative[i] ?? 0,
            metricName: `${name}_bucket`,
          })
        );
        values.push({ labels, value: s.sum, metricName: `${name}_sum` });
        values.push({
          labels,
          value: s.cumulative[les.length - 1] ?? 0,
          metricName: `${name}_count`,
        });
      }
      return { name, help, type: "histogram", values, aggregator: "sum" };
    };
    const metric = {
      name,
      help,
      type: "histogram",
      aggregator: "sum",
      get: () => Promise.resolve(collect()),
    };
    this.#registry.registerMetric(metric as unknown as client.Metric);
  }

  /** Every metric in the text exposition format, read now. */
  text(): Promise<string> {
    return this.#registry.metrics();
  }
}
