import { histogramBuckets, histogramQuantile, metricTotal, parsePrometheusText } from './metrics-scrape.js';

const EXPOSITION = `# HELP citypulse_readings_stored_total Readings written to InfluxDB
# TYPE citypulse_readings_stored_total counter
citypulse_readings_stored_total 123456

# HELP citypulse_readings_rejected_total Readings rejected, by reason
# TYPE citypulse_readings_rejected_total counter
citypulse_readings_rejected_total{reason="out_of_range"} 3
citypulse_readings_rejected_total{reason="unknown_field"} 4
# TYPE citypulse_reading_store_delay_seconds histogram
citypulse_reading_store_delay_seconds_bucket{le="0.1"} 20
citypulse_reading_store_delay_seconds_bucket{le="0.01"} 0
citypulse_reading_store_delay_seconds_bucket{le="0.05"} 20
citypulse_reading_store_delay_seconds_bucket{le="1"} 100
citypulse_reading_store_delay_seconds_bucket{le="+Inf"} 100
citypulse_reading_store_delay_seconds_sum 12.5
citypulse_reading_store_delay_seconds_count 100
weird_label{path="a \\"quoted\\" }brace",code="200"} 1.5e3 1700000000000
nodejs_heap_size_total_bytes NaN
`;

describe('parsePrometheusText', () => {
  const samples = parsePrometheusText(EXPOSITION);

  it('reads plain samples and skips comments and blank lines', () => {
    expect(samples.find((s) => s.name === 'citypulse_readings_stored_total')).toEqual({
      name: 'citypulse_readings_stored_total',
      labels: {},
      value: 123456,
    });
    expect(samples.some((s) => s.name.startsWith('#'))).toBe(false);
  });

  it('reads label values holding escaped quotes and braces, and ignores the trailing timestamp', () => {
    const weird = samples.find((s) => s.name === 'weird_label');
    expect(weird).toEqual({ name: 'weird_label', labels: { path: 'a "quoted" }brace', code: '200' }, value: 1500 });
  });

  it('reads +Inf bounds and NaN values', () => {
    expect(samples.find((s) => s.labels.le === '+Inf')?.value).toBe(100);
    expect(samples.find((s) => s.name === 'nodejs_heap_size_total_bytes')?.value).toBeNaN();
  });

  it('sums a labelled counter over its label sets, and gives 0 for an absent metric', () => {
    expect(metricTotal(samples, 'citypulse_readings_rejected_total')).toBe(7);
    expect(metricTotal(samples, 'citypulse_nothing_total')).toBe(0);
  });

  it('returns histogram buckets sorted by bound with +Inf last, whatever the exposition order', () => {
    expect(histogramBuckets(samples, 'citypulse_reading_store_delay_seconds').map((b) => b.le)).toEqual([
      0.01,
      0.05,
      0.1,
      1,
      Infinity,
    ]);
  });

  it('adds up buckets of the same bound, so histograms scraped from two processes merge', () => {
    const twice = [...samples, ...parsePrometheusText(EXPOSITION)];
    expect(histogramBuckets(twice, 'citypulse_reading_store_delay_seconds')).toEqual([
      { le: 0.01, count: 0 },
      { le: 0.05, count: 40 },
      { le: 0.1, count: 40 },
      { le: 1, count: 200 },
      { le: Infinity, count: 200 },
    ]);
  });
});

describe('histogramQuantile', () => {
  const buckets = [
    { le: 0.01, count: 0 },
    { le: 0.05, count: 20 },
    { le: 0.1, count: 20 },
    { le: 1, count: 100 },
    { le: Infinity, count: 100 },
  ];

  it('interpolates linearly inside the bucket that holds the rank', () => {
    // rank 10 of 100 is halfway through the 20 observations in (0.01, 0.05].
    expect(histogramQuantile(buckets, 0.1)?.value).toBeCloseTo(0.03, 10);
    // rank 50 is 30 of the 80 observations in (0.1, 1].
    expect(histogramQuantile(buckets, 0.5)?.value).toBeCloseTo(0.1 + 0.9 * (30 / 80), 10);
    expect(histogramQuantile(buckets, 1)?.value).toBeCloseTo(1, 10);
  });

  it('starts the lowest bucket at zero', () => {
    expect(
      histogramQuantile(
        [
          { le: 0.5, count: 4 },
          { le: Infinity, count: 4 },
        ],
        0.5,
      )?.value,
    ).toBeCloseTo(0.25, 10);
  });

  it('reports a quantile in the +Inf bucket as the highest finite bound, flagged', () => {
    const tail = [
      { le: 1, count: 90 },
      { le: Infinity, count: 100 },
    ];
    expect(histogramQuantile(tail, 0.99)).toEqual({ value: 1, aboveHighestBound: true });
    expect(histogramQuantile(tail, 0.5)).toEqual({ value: expect.closeTo(50 / 90, 10), aboveHighestBound: false });
  });

  it('gives undefined for a histogram with no observations or no buckets', () => {
    expect(
      histogramQuantile(
        [
          { le: 1, count: 0 },
          { le: Infinity, count: 0 },
        ],
        0.5,
      ),
    ).toBeUndefined();
    expect(histogramQuantile([], 0.5)).toBeUndefined();
  });
});
