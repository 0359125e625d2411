// Aggregating: each measurement is one Google Benchmark, repeated over
// several windows. Google Benchmark computes the median, the coefficient of
// variation and (added here) the min, max and sum of every counter across
// the windows; this reporter files those aggregates into the measurement
// the benchmark was registered for.
#pragma once

#include "results.hpp"

#include <benchmark/benchmark.h>
#include <map>
#include <string>

namespace bench {

// Asks for the min, max and sum beside Google Benchmark's mean, median,
// stddev and cv.
void add_statistics(benchmark::internal::Benchmark* b);

class collector : public benchmark::BenchmarkReporter {
public:
    // The benchmark called `name` fills `m`.
    void expect(const std::string& name, measurement& m) { by_name_[name] = &m; }

    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override;

private:
    std::map<std::string, measurement*> by_name_;
};

}  // namespace bench
