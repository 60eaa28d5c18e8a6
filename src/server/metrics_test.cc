// The metrics registry: exact exposition text, and exact sums under concurrent updates.
#include "server/metrics.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ecoute::server {
namespace {

TEST(MetricsTest, CounterWithLabels) {
  Metrics metrics;
  Counter& ok = metrics.GetCounter("ecoute_http_requests_total", "HTTP requests answered.",
                                   {{"route", "/api/posts"}, {"code", "200"}});
  Counter& missing = metrics.GetCounter("ecoute_http_requests_total", "ignored: first wins",
                                        {{"route", "/api/cases"}, {"code", "404"}});
  ok.Inc();
  ok.Inc(2);
  missing.Inc();
  missing.Inc(-5);  // ignored
  // The same labels give the same child.
  EXPECT_EQ(&metrics.GetCounter("ecoute_http_requests_total", "",
                                {{"route", "/api/posts"}, {"code", "200"}}),
            &ok);
  EXPECT_EQ(ok.value(), 3);
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_http_requests_total HTTP requests answered.\n"
            "# TYPE ecoute_http_requests_total counter\n"
            "ecoute_http_requests_total{route=\"/api/cases\",code=\"404\"} 1\n"
            "ecoute_http_requests_total{route=\"/api/posts\",code=\"200\"} 3\n");
}

TEST(MetricsTest, GaugeAndFamiliesSortedByName) {
  Metrics metrics;
  Gauge& queue = metrics.GetGauge("ecoute_queue_depth", "Posts waiting for analysis.");
  metrics.GetCounter("ecoute_alerts_sent_total", "Alerts sent.").Inc(0.5);
  queue.Set(7);
  queue.Add(-2.5);
  EXPECT_EQ(queue.value(), 4.5);
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_alerts_sent_total Alerts sent.\n"
            "# TYPE ecoute_alerts_sent_total counter\n"
            "ecoute_alerts_sent_total 0.5\n"
            "# HELP ecoute_queue_depth Posts waiting for analysis.\n"
            "# TYPE ecoute_queue_depth gauge\n"
            "ecoute_queue_depth 4.5\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics metrics;
  Histogram& latency = metrics.GetHistogram("ecoute_request_seconds", "Request latency.",
                                            {0.1, 0.5, 1}, {{"route", "/api/search"}});
  latency.Observe(0.0625);
  latency.Observe(0.5);  // on a bound: in its bucket ("le")
  latency.Observe(3);
  latency.Observe(std::nan(""));  // ignored
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_request_seconds Request latency.\n"
            "# TYPE ecoute_request_seconds histogram\n"
            "ecoute_request_seconds_bucket{route=\"/api/search\",le=\"0.1\"} 1\n"
            "ecoute_request_seconds_bucket{route=\"/api/search\",le=\"0.5\"} 2\n"
            "ecoute_request_seconds_bucket{route=\"/api/search\",le=\"1\"} 2\n"
            "ecoute_request_seconds_bucket{route=\"/api/search\",le=\"+Inf\"} 3\n"
            "ecoute_request_seconds_sum{route=\"/api/search\"} 3.5625\n"
            "ecoute_request_seconds_count{route=\"/api/search\"} 3\n");
}

TEST(MetricsTest, HistogramWithoutLabelsAndTheFamilysBuckets) {
  Metrics metrics;
  Histogram& poll = metrics.GetHistogram("ecoute_poll_seconds", "Poll time.", {1, 0.25});
  // Buckets are the family's first: later ones are ignored.
  Histogram& again = metrics.GetHistogram("ecoute_poll_seconds", "", {5});
  EXPECT_EQ(&poll, &again);
  poll.Observe(0.25);
  poll.Observe(2);
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_poll_seconds Poll time.\n"
            "# TYPE ecoute_poll_seconds histogram\n"
            "ecoute_poll_seconds_bucket{le=\"0.25\"} 1\n"
            "ecoute_poll_seconds_bucket{le=\"1\"} 1\n"
            "ecoute_poll_seconds_bucket{le=\"+Inf\"} 2\n"
            "ecoute_poll_seconds_sum 2.25\n"
            "ecoute_poll_seconds_count 2\n");
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Metrics metrics;
  metrics
      .GetCounter("ecoute_odd_total", "Help with \\ and\nnewline and \"quotes\".",
                  {{"value", "a\\b \"c\"\nd"}})
      .Inc();
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_odd_total Help with \\\\ and\\nnewline and \"quotes\".\n"
            "# TYPE ecoute_odd_total counter\n"
            "ecoute_odd_total{value=\"a\\\\b \\\"c\\\"\\nd\"} 1\n");
}

TEST(MetricsTest, CallbackGaugeIsReadAtScrapeTime) {
  Metrics metrics;
  int connections = 2;
  metrics.AddCallbackGauge("ecoute_open_connections", "Open HTTP connections.",
                           [&] { return static_cast<double>(connections); });
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_open_connections Open HTTP connections.\n"
            "# TYPE ecoute_open_connections gauge\n"
            "ecoute_open_connections 2\n");
  connections = 5;
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_open_connections Open HTTP connections.\n"
            "# TYPE ecoute_open_connections gauge\n"
            "ecoute_open_connections 5\n");
  // A callback may use the registry itself: Render does not hold its lock while reading.
  metrics.AddCallbackGauge("ecoute_open_connections", "Open HTTP connections.", [&] {
    return metrics.GetCounter("ecoute_scrapes_total", "Scrapes.").value();
  });
  EXPECT_EQ(metrics.Render(),
            "# HELP ecoute_open_connections Open HTTP connections.\n"
            "# TYPE ecoute_open_connections gauge\n"
            "ecoute_open_connections 0\n"
            "# HELP ecoute_scrapes_total Scrapes.\n"
            "# TYPE ecoute_scrapes_total counter\n"
            "ecoute_scrapes_total 0\n");
}

TEST(MetricsTest, ConcurrentIncrementsSumExactly) {
  Metrics metrics;
  constexpr int kThreads = 4;
  constexpr int kIncrements = 100'000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      // Half the threads look the child up each time, half keep the reference.
      Counter& cached = metrics.GetCounter("ecoute_events_total", "Events.");
      Histogram& histogram =
          metrics.GetHistogram("ecoute_event_seconds", "Event time.", LatencyBuckets());
      for (int i = 0; i < kIncrements; ++i) {
        if (t % 2 == 0) {
          cached.Inc();
        } else {
          metrics.GetCounter("ecoute_events_total", "Events.").Inc();
        }
        histogram.Observe(0.002);
      }
    });
  }
  for (int i = 0; i < 20; ++i) (void)metrics.Render();  // scrapes during the updates
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(metrics.GetCounter("ecoute_events_total", "").value(), kThreads * kIncrements);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("ecoute_events_total 400000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ecoute_event_seconds_bucket{le=\"0.0005\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("ecoute_event_seconds_bucket{le=\"0.001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("ecoute_event_seconds_bucket{le=\"0.0025\"} 400000\n"), std::string::npos);
  EXPECT_NE(text.find("ecoute_event_seconds_count 400000\n"), std::string::npos);
}

TEST(MetricsTest, LatencyBucketsRiseFromHalfAMillisecondToTenSeconds) {
  const std::vector<double> buckets = LatencyBuckets();
  ASSERT_FALSE(buckets.empty());
  EXPECT_EQ(buckets.front(), 0.0005);
  EXPECT_EQ(buckets.back(), 10);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

}  // namespace
}  // namespace ecoute::server
